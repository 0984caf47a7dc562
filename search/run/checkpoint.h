/*
 * checkpoint.h: the checkpoint file: a self-describing list of named, typed arrays (README,
 * "Checkpoint format"), written atomically (temporary file, fsync, rename) so that a kill at any
 * moment leaves the previous checkpoint or the new one, never a torn file.
 *
 * Writing: ckpt_writer_new, ckpt_put_* in any order, ckpt_writer_commit(path).
 * Reading: ckpt_read validates magic, version, length and checksum; ckpt_get_* fetch an entry and
 * check its type and shape; any problem is one line naming the file and the entry, exit status 2.
 */
#ifndef SN_CHECKPOINT_H
#define SN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "supernet.h"

typedef enum { CKPT_F32 = 1, CKPT_F64 = 2, CKPT_U64 = 3, CKPT_TEXT = 4 } CkptType;

typedef struct CkptWriter CkptWriter;
typedef struct Checkpoint Checkpoint;

CkptWriter *ckpt_writer_new(void);
void ckpt_put_f32(CkptWriter *w, const char *name, int ndims, const int *dims, const float *data);
void ckpt_put_f64(CkptWriter *w, const char *name, size_t n, const double *data);
void ckpt_put_u64(CkptWriter *w, const char *name, size_t n, const uint64_t *data);
void ckpt_put_text(CkptWriter *w, const char *name, const char *text);
/* Writes the file atomically and frees the writer. */
void ckpt_writer_commit(CkptWriter *w, const char *path);
/* FNV-1a-64 of the entries put so far (equal digests: equal checkpoints), and freeing without writing. */
uint64_t ckpt_writer_digest(const CkptWriter *w);
void ckpt_writer_discard(CkptWriter *w);

Checkpoint *ckpt_read(const char *path);
void ckpt_free(Checkpoint *ck);
void ckpt_get_f32(const Checkpoint *ck, const char *name, int ndims, const int *dims, float *out);
void ckpt_get_f64(const Checkpoint *ck, const char *name, size_t n, double *out);
void ckpt_get_u64(const Checkpoint *ck, const char *name, size_t n, uint64_t *out);
const char *ckpt_get_text(const Checkpoint *ck, const char *name); /* owned by ck */
const char *ckpt_path(const Checkpoint *ck); /* the file it was read from, for messages */
int ckpt_has(const Checkpoint *ck, const char *name);

/* Every tensor of the network (weights and running statistics) as "<prefix>.<tensor name>", in
 * PyTorch's layout; with `flat` (an array laid out like the weights, e.g. SGD momentum), the weight
 * tensors of that array instead. */
void ckpt_put_supernet(CkptWriter *w, Supernet *net, const char *prefix, const float *flat);
/* The reverse; every tensor must be present with the network's shape. */
void ckpt_get_supernet(const Checkpoint *ck, Supernet *net, const char *prefix, float *flat);

#endif
