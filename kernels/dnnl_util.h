/*
 * dnnl_util.h: the thin layer between kernels/ and oneDNN's v2 C API (Debian's oneDNN 2.6).
 *
 * One CPU engine and stream for the process. A DnnlPrim is a primitive created once, with one
 * memory object per argument whose data pointer is swapped in at each call, so executing it costs
 * no allocation. Every primitive uses the user scratchpad: one buffer shared by all primitives,
 * grown at creation time, never during a training step.
 *
 * Every primitive's implementation is checked when it is created: oneDNN's `ref:` kernels are slow
 * reference loops, so getting one means a layout or shape mistake, and is an error.
 */
#ifndef SN_DNNL_UTIL_H
#define SN_DNNL_UTIL_H

#include <oneapi/dnnl/dnnl.h>

#include "profile.h"
#include "tensor.h"

#define SN_DNNL_MAX_ARGS 10

#define DNNL_CHECK(call)                                                                         \
    do {                                                                                         \
        dnnl_status_t st_ = (call);                                                              \
        if (st_ != dnnl_success) sn_dnnl_fail(__FILE__, __LINE__, #call, st_);                  \
    } while (0)

void sn_dnnl_fail(const char *file, int line, const char *call, dnnl_status_t status) __attribute__((__noreturn__));

dnnl_engine_t sn_dnnl_engine(void);

typedef struct {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    int n_args;
    dnnl_exec_arg_t args[SN_DNNL_MAX_ARGS]; /* last one is the scratchpad */
    ProfileSlot slot; /* its kind, for `supernet bench --profile` */
} DnnlPrim;

/* Creates the primitive for an initialised op descriptor (convolution, batch norm, pooling, reorder
 * descriptors are all accepted as `op_desc`), with `hint` the forward pd for backward primitives.
 * `arg_ids` lists the DNNL_ARG_* the caller will pass to dnnl_prim_exec, in that order. `what`
 * names the op for error messages ("conv 3x3 16->16 backward-data"). */
void dnnl_prim_create(DnnlPrim *p, const void *op_desc, const_dnnl_primitive_desc_t hint, const char *what,
                      const int *arg_ids, int n_args);
/* The same, returning 0 instead of exiting when oneDNN has no implementation for the descriptor. */
int dnnl_prim_try_create(DnnlPrim *p, const void *op_desc, const_dnnl_primitive_desc_t hint, const char *what,
                         const int *arg_ids, int n_args);
void dnnl_prim_create_reorder(DnnlPrim *p, const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, const char *what);
void dnnl_prim_exec(DnnlPrim *p, void *const *data);
const dnnl_memory_desc_t *dnnl_prim_md(const DnnlPrim *p, int arg_id);
const char *dnnl_prim_impl(const DnnlPrim *p);
void dnnl_prim_free(DnnlPrim *p);

/* Plain memory descriptors for the engine's layouts. */
dnnl_memory_desc_t dnnl_md_blocked(Shape4 s); /* nChw16c activations */
dnnl_memory_desc_t dnnl_md_tag(int ndims, const dnnl_dims_t dims, dnnl_format_tag_t tag); /* f32 */
dnnl_memory_desc_t dnnl_md_typed(int ndims, const dnnl_dims_t dims, dnnl_data_type_t type, dnnl_format_tag_t tag);

#endif
