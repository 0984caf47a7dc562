/*
 * candidates.h: the cells that RSPS and SETN score after each epoch (REFERENCE.md 6.4, 6.5), and the
 * uniform random cell of their weight steps. Pure functions of their inputs.
 *
 * Enumeration order: the reference's Structure.gen_all lists the 15,625 cells with edge 1<-0 varying
 * slowest and 3<-2 fastest, ops in the order none, skip_connect, nor_conv_1x1, nor_conv_3x3,
 * avg_pool_3x3. That is exactly the order of the op codes of arch.h (first edge the most significant
 * base-5 digit): the i-th cell enumerated is arch_from_code(i).
 */
#ifndef SN_CANDIDATES_H
#define SN_CANDIDATES_H

#include "arch.h"
#include "common.h"

/* Each edge uniform over the five ops (none included), edges in order: one rng_below(5) per edge, as
 * the reference's random.choice per edge. The same cell is used by every cell of the network. */
Arch arch_uniform(Rng *rng);

/* RSPS's candidates: k independent uniform cells (duplicates possible, as in the reference). */
void rsps_candidates(Rng *rng, int k, Arch *out);

/*
 * SETN's candidates: the k cells (1 <= k <= 15,625) with the largest score sum_e log_softmax(alpha_e)[op_e],
 * alpha (6 x 5, row e = edge e), sorted by descending score; equal scores keep enumeration order
 * (Python's stable sort). As the reference, each row's log-softmax is a float and the six terms are
 * added in float in edge order, so ties are ties of those float sums. scores (may be NULL) receives
 * the k scores.
 */
void setn_top_k(const float *alpha, int k, Arch *out, float *scores);

#endif
