/* dnnl_util.c: engine, stream, shared scratchpad and the DnnlPrim wrapper (see dnnl_util.h). */
#include "dnnl_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static dnnl_engine_t engine;
static dnnl_stream_t stream;
static void *scratch;        /* shared by every primitive; they run one at a time */
static size_t scratch_bytes;

/* The slot of a primitive, from the description its creator gave ("conv ... backward-data"). */
static ProfileSlot classify(const char *what) {
    int backward = strstr(what, "backward") != NULL;
    if (strstr(what, "reorder")) return PROF_REORDER;
    if (strncmp(what, "conv", 4) == 0)
        return strstr(what, "backward-data") ? PROF_CONV_BACKWARD_DATA
             : strstr(what, "backward-weights") ? PROF_CONV_BACKWARD_WEIGHTS : PROF_CONV_FORWARD;
    if (strncmp(what, "batch norm", 10) == 0) return backward ? PROF_BN_BACKWARD : PROF_BN_FORWARD;
    return backward ? PROF_POOL_BACKWARD : PROF_POOL_FORWARD;
}

void sn_dnnl_fail(const char *file, int line, const char *call, dnnl_status_t status) {
    sn_fatal(file, line, "%s failed with oneDNN status %d", call, (int)status);
}

dnnl_engine_t sn_dnnl_engine(void) {
    if (!engine) {
        DNNL_CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
        DNNL_CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    }
    return engine;
}

static void grow_scratch(size_t bytes) {
    if (bytes <= scratch_bytes) return;
    sn_free(scratch);
    scratch = sn_alloc(bytes);
    scratch_bytes = bytes;
}

static dnnl_memory_t memory_for(const dnnl_memory_desc_t *md) {
    dnnl_memory_t m;
    DNNL_CHECK(dnnl_memory_create(&m, md, sn_dnnl_engine(), DNNL_MEMORY_NONE));
    return m;
}

/* Finishes a primitive whose pd exists: checks the implementation, creates the primitive and one
 * memory object per argument. */
static void finish_prim(DnnlPrim *p, const char *what, const int *arg_ids, int n_args) {
    const char *impl = dnnl_prim_impl(p);
    p->slot = classify(what);
    if (strncmp(impl, "ref", 3) == 0)
        sn_die(EXIT_FAILURE, "oneDNN has only its slow reference implementation '%s' for %s "
               "(activations must be nChw16c with a multiple of 16 channels)", impl, what);
    SN_ASSERT(n_args < SN_DNNL_MAX_ARGS, "%s: too many arguments", what);
    DNNL_CHECK(dnnl_primitive_create(&p->prim, p->pd));
    for (int i = 0; i < n_args; i++) {
        p->args[i].arg = arg_ids[i];
        p->args[i].memory = memory_for(dnnl_prim_md(p, arg_ids[i]));
    }
    const dnnl_memory_desc_t *scratch_md = dnnl_primitive_desc_query_md(p->pd, dnnl_query_scratchpad_md, 0);
    grow_scratch(dnnl_memory_desc_get_size(scratch_md));
    p->args[n_args].arg = DNNL_ARG_SCRATCHPAD;
    p->args[n_args].memory = memory_for(scratch_md);
    p->n_args = n_args + 1;
}

static dnnl_primitive_attr_t user_scratchpad_attr(void) {
    dnnl_primitive_attr_t attr;
    DNNL_CHECK(dnnl_primitive_attr_create(&attr));
    DNNL_CHECK(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
    return attr;
}

int dnnl_prim_try_create(DnnlPrim *p, const void *op_desc, const_dnnl_primitive_desc_t hint, const char *what,
                         const int *arg_ids, int n_args) {
    memset(p, 0, sizeof *p);
    dnnl_primitive_attr_t attr = user_scratchpad_attr();
    dnnl_status_t st = dnnl_primitive_desc_create(&p->pd, op_desc, attr, sn_dnnl_engine(), hint);
    DNNL_CHECK(dnnl_primitive_attr_destroy(attr));
    if (st == dnnl_unimplemented) return 0;
    if (st != dnnl_success) sn_die(EXIT_FAILURE, "oneDNN cannot create %s (status %d)", what, (int)st);
    finish_prim(p, what, arg_ids, n_args);
    return 1;
}

void dnnl_prim_create(DnnlPrim *p, const void *op_desc, const_dnnl_primitive_desc_t hint, const char *what,
                      const int *arg_ids, int n_args) {
    if (!dnnl_prim_try_create(p, op_desc, hint, what, arg_ids, n_args))
        sn_die(EXIT_FAILURE, "oneDNN has no implementation of %s", what);
}

void dnnl_prim_create_reorder(DnnlPrim *p, const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, const char *what) {
    memset(p, 0, sizeof *p);
    dnnl_primitive_attr_t attr = user_scratchpad_attr();
    dnnl_engine_t e = sn_dnnl_engine();
    DNNL_CHECK(dnnl_reorder_primitive_desc_create(&p->pd, from, e, to, e, attr));
    DNNL_CHECK(dnnl_primitive_attr_destroy(attr));
    static const int ids[] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    finish_prim(p, what, ids, 2);
}

void dnnl_prim_exec(DnnlPrim *p, void *const *data) {
    for (int i = 0; i < p->n_args - 1; i++) DNNL_CHECK(dnnl_memory_set_data_handle(p->args[i].memory, data[i]));
    DNNL_CHECK(dnnl_memory_set_data_handle(p->args[p->n_args - 1].memory, scratch));
    double t0 = profile_start();
    DNNL_CHECK(dnnl_primitive_execute(p->prim, stream, p->n_args, p->args));
    DNNL_CHECK(dnnl_stream_wait(stream));
    profile_stop(p->slot, t0);
}

const dnnl_memory_desc_t *dnnl_prim_md(const DnnlPrim *p, int arg_id) {
    const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(p->pd, dnnl_query_exec_arg_md, arg_id);
    SN_ASSERT(md && md->ndims > 0, "primitive has no argument %d", arg_id);
    return md;
}

const char *dnnl_prim_impl(const DnnlPrim *p) {
    const char *impl = "";
    DNNL_CHECK(dnnl_primitive_desc_query(p->pd, dnnl_query_impl_info_str, 0, &impl));
    return impl;
}

void dnnl_prim_free(DnnlPrim *p) {
    for (int i = 0; i < p->n_args; i++) dnnl_memory_destroy(p->args[i].memory);
    if (p->prim) dnnl_primitive_destroy(p->prim);
    if (p->pd) dnnl_primitive_desc_destroy(p->pd);
    memset(p, 0, sizeof *p);
}

dnnl_memory_desc_t dnnl_md_typed(int ndims, const dnnl_dims_t dims, dnnl_data_type_t type, dnnl_format_tag_t tag) {
    dnnl_memory_desc_t md;
    DNNL_CHECK(dnnl_memory_desc_init_by_tag(&md, ndims, dims, type, tag));
    return md;
}

dnnl_memory_desc_t dnnl_md_tag(int ndims, const dnnl_dims_t dims, dnnl_format_tag_t tag) {
    return dnnl_md_typed(ndims, dims, dnnl_f32, tag);
}

dnnl_memory_desc_t dnnl_md_blocked(Shape4 s) {
    dnnl_dims_t dims = {s.n, s.c, s.h, s.w};
    return dnnl_md_tag(4, dims, dnnl_nChw16c);
}
