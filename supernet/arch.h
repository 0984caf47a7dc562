/*
 * arch.h: one NAS-Bench-201 cell. Six edges in the order of the architecture string
 * (1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2), each carrying one of five ops.
 *
 * Three names for the same cell:
 *   - the string  |op~0|+|op~0|op~1|+|op~0|op~1|op~2|   (the benchmark's lookup key);
 *   - the code    6 base-5 digits in edge order, e.g. "421211" (as the table's op_e columns),
 *                 held as the integer 0..15624 it spells in base 5;
 *   - the index   the official benchmark index, a permutation of the codes (see data/table.h).
 */
#ifndef SN_ARCH_H
#define SN_ARCH_H

#include <stddef.h>
#include <stdint.h>

enum { ARCH_N_EDGES = 6, ARCH_N_OPS = 5, ARCH_N_NODES = 4, ARCH_N_CELLS = 15625 };

typedef enum { OP_NONE, OP_SKIP, OP_CONV1, OP_CONV3, OP_POOL } OpCode;

typedef struct {
    uint8_t op[ARCH_N_EDGES];
} Arch;

/* Longest formatted string (all edges avg_pool_3x3) plus its terminator. */
#define ARCH_STR_MAX 112

extern const char *const ARCH_OP_NAMES[ARCH_N_OPS];

/* Source node (j) and target node (i) of edge e, for the edge i<-j. */
int arch_edge_from(int edge);
int arch_edge_to(int edge);

/* Parses an architecture string. Returns 0, or -1 with a one-line message in err naming what is
 * wrong and the 0-based character offset where it was found. */
int arch_parse(const char *text, Arch *out, char *err, size_t err_len);
void arch_format(const Arch *a, char out[ARCH_STR_MAX]);
/* The string of the cell with op code `code` (in range). */
void arch_format_code(int code, char out[ARCH_STR_MAX]);

int arch_to_code(const Arch *a);   /* 0..15624 */
Arch arch_from_code(int code);     /* code must be in range */
void arch_code_digits(int code, char out[ARCH_N_EDGES + 1]);
/* Parses exactly six digits 0..4; returns the code or -1. */
int arch_code_parse(const char *digits);

/* Canonical form of the cell's computation, as the benchmark's UniqueString (README "Isomorphism").
 * with_none = 0 treats none like any other op (skip-only equivalence, 12,751 classes);
 * with_none = 1 also folds zero edges and dead nodes (6,466 classes). */
#define ARCH_CANON_MAX 1024
void arch_canonical(const Arch *a, int with_none, char out[ARCH_CANON_MAX]);
/* Isomorphism class of every code (ids numbered in order of each class's smallest code); returns
 * the number of classes: 12,751 without none folding, 6,466 with. */
int arch_iso_classes(int with_none, int32_t class_of_code[ARCH_N_CELLS]);

/* live[e] = 1 when the cell's output depends on edge e's op: its source node is reachable from the
 * input and its target node reaches the output through edges other than none, i.e. it lies on an
 * input-to-output path whose other edges are not none. A dead edge's op changes nothing the cell
 * computes. */
void arch_live_edges(const Arch *a, int live[ARCH_N_EDGES]);

/* Cost of the whole NAS-Bench-201 network (stem, 3 x 5 cells at C = 16/32/64, two residual
 * reduction blocks, BN, global pool, linear classifier) for square inputs of `image_size` pixels. */
typedef struct {
    int64_t params; /* trainable parameters (BN affine included, running stats not) */
    int64_t macs;   /* multiply-accumulates of convolutions and the linear layer (bias counted) */
} ArchCost;

ArchCost arch_cost(const Arch *a, int n_classes, int image_size);

#endif
