/*
 * dist.h: the MPI layer of a data-parallel search, the only file set that calls MPI (search/dist/README.md).
 *
 * A process started by mpirun or srun (recognised by the launcher's environment: OMPI_COMM_WORLD_SIZE,
 * PMI_SIZE or PMIX_RANK) joins MPI_COMM_WORLD in dist_init; any other process, and every process of a
 * build without MPI, is a singleton: rank 0 of 1, every call below returns at once, nothing is printed
 * (a build without MPI started as several processes stops in dist_init with a usage error).
 *
 * Failure: a rank that dies (sn_die, an assertion, a signal) exits without MPI_Finalize, and mpirun then
 * takes the whole job down. A user error every rank meets is printed once, by rank 0 (the other ranks
 * wait DIST_DIE_GRACE_S seconds before printing theirs, and are killed with the job before then).
 */
#ifndef SN_DIST_H
#define SN_DIST_H

#include <stddef.h>
#include <stdint.h>

void dist_init(int *argc, char ***argv);
/* Leaves MPI after a successful command; a failing one exits without it (see above). */
void dist_finalize(void);

/* The caller's rank and the number of ranks of its group: the whole job until dist_split. */
int dist_rank(void);
int dist_size(void);
int dist_is_root(void);
/* The same over the whole job, whatever the groups. */
int dist_world_rank(void);
int dist_world_size(void);
/* Splits the job into groups of group_size consecutive ranks (group_size divides the job's size):
 * from then on rank, size and every collective below refer to the caller's group. Returns the
 * group's index. */
int dist_split(int group_size);
/* "off" (a build without MPI), else the MPI library's version line. */
const char *dist_library(void);

/* Sums over the ranks, in place. */
void dist_sum_f32(float *values, size_t n);
void dist_sum_f64(double *values, size_t n);
/* Sums n_parts arrays in ONE allreduce (copied through a staging buffer when there are several). */
void dist_sum_f32_parts(float *const *parts, const size_t *counts, int n_parts);
/* Rank 0's bytes to every rank. */
void dist_broadcast(void *data, size_t bytes);
/* 1 when value is the same on every rank. */
int dist_agree(uint64_t value);
void dist_barrier(void);
/* A barrier over the whole job. */
void dist_world_barrier(void);

#endif
