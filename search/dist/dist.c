/* dist.c: the MPI layer (see dist.h); without SUPERNET_MPI every process is a singleton. */
#define _POSIX_C_SOURCE 200809L
#include "dist/dist.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#ifdef SUPERNET_MPI
#include <mpi.h>
#endif

static struct {
    int rank, size, world_rank, world_size, joined;
    float *staging;
    size_t staging_cap;
#ifdef SUPERNET_MPI
    MPI_Comm comm; /* the caller's group: MPI_COMM_WORLD until dist_split */
#endif
} g = {.size = 1, .world_size = 1};

int dist_rank(void) { return g.rank; }
int dist_size(void) { return g.size; }
int dist_is_root(void) { return g.rank == 0; }
int dist_world_rank(void) { return g.world_rank; }
int dist_world_size(void) { return g.world_size; }

static int launched_by_mpi(void) { return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK"); }

#ifdef SUPERNET_MPI

/* Long enough for rank 0 to print a shared error and mpirun to end the job. */
#define DIST_DIE_GRACE_S 3

static void wait_for_root_to_report(void) {
    if (g.rank != 0) sleep(DIST_DIE_GRACE_S);
}


void dist_init(int *argc, char ***argv) {
    if (!launched_by_mpi()) return;
    int provided;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    g.joined = 1;
    g.comm = MPI_COMM_WORLD;
    MPI_Comm_rank(MPI_COMM_WORLD, &g.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g.size);
    g.world_rank = g.rank, g.world_size = g.size;
    if (g.size > 1) sn_set_die_hook(wait_for_root_to_report);
}

int dist_split(int group_size) {
    SN_ASSERT(group_size > 0 && g.world_size % group_size == 0, "groups of %d ranks out of %d", group_size, g.world_size);
    int group = g.world_rank / group_size;
    if (g.world_size == 1) return 0;
    if (g.comm != MPI_COMM_WORLD) MPI_Comm_free(&g.comm);
    g.comm = MPI_COMM_WORLD;
    if (group_size < g.world_size) MPI_Comm_split(MPI_COMM_WORLD, group, g.world_rank, &g.comm);
    MPI_Comm_rank(g.comm, &g.rank);
    MPI_Comm_size(g.comm, &g.size);
    return group;
}

void dist_finalize(void) {
    if (g.joined && g.comm != MPI_COMM_WORLD) MPI_Comm_free(&g.comm);
    if (g.joined) MPI_Finalize();
    g.joined = 0;
    sn_free(g.staging);
    g.staging = NULL, g.staging_cap = 0;
}

const char *dist_library(void) {
    static char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len;
    MPI_Get_library_version(version, &len);
    version[strcspn(version, "\n,")] = '\0';
    return version;
}

static int count_of(size_t n) {
    SN_ASSERT(n <= INT_MAX, "allreduce of %zu values", n);
    return (int)n;
}

void dist_sum_f32(float *values, size_t n) {
    if (g.size > 1) MPI_Allreduce(MPI_IN_PLACE, values, count_of(n), MPI_FLOAT, MPI_SUM, g.comm);
}

void dist_sum_f64(double *values, size_t n) {
    if (g.size > 1) MPI_Allreduce(MPI_IN_PLACE, values, count_of(n), MPI_DOUBLE, MPI_SUM, g.comm);
}

void dist_broadcast(void *data, size_t bytes) {
    if (g.size > 1) MPI_Bcast(data, count_of(bytes), MPI_BYTE, 0, g.comm);
}

int dist_agree(uint64_t value) {
    if (g.size == 1) return 1;
    uint64_t v[2] = {value, ~value}; /* max(~x) = ~min(x): both extremes in one call */
    MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_MAX, g.comm);
    return v[0] == ~v[1];
}

void dist_barrier(void) {
    if (g.size > 1) MPI_Barrier(g.comm);
}

void dist_world_barrier(void) {
    if (g.world_size > 1) MPI_Barrier(MPI_COMM_WORLD);
}

#else

/* K copies of a singleton would each run the whole search into the same run folder. */
void dist_init(int *argc, char ***argv) {
    const char *size = getenv("OMPI_COMM_WORLD_SIZE") ? getenv("OMPI_COMM_WORLD_SIZE") : getenv("PMI_SIZE");
    if (launched_by_mpi() && size && atoi(size) > 1)
        sn_die(SN_EXIT_USAGE, "started as %s processes by mpirun/srun, but this build has no MPI (supernet version: "
                              "MPI off); run one process, or rebuild with libopenmpi-dev", size);
}
void dist_finalize(void) {}
const char *dist_library(void) { return "off"; }
void dist_sum_f32(float *values, size_t n) {}
void dist_sum_f64(double *values, size_t n) {}
void dist_broadcast(void *data, size_t bytes) {}
int dist_agree(uint64_t value) { return 1; }
void dist_barrier(void) {}
void dist_world_barrier(void) {}
int dist_split(int group_size) {
    SN_ASSERT(group_size == 1, "groups of %d ranks in a build without MPI", group_size);
    return 0;
}

#endif

void dist_sum_f32_parts(float *const *parts, const size_t *counts, int n_parts) {
    if (g.size == 1) return;
    if (n_parts == 1) {
        dist_sum_f32(parts[0], counts[0]);
        return;
    }
    size_t total = 0;
    for (int i = 0; i < n_parts; i++) total += counts[i];
    if (total > g.staging_cap) sn_free(g.staging), g.staging = sn_alloc(total * sizeof(float)), g.staging_cap = total;
    for (size_t i = 0, at = 0; i < (size_t)n_parts; at += counts[i++]) memcpy(g.staging + at, parts[i], counts[i] * sizeof(float));
    dist_sum_f32(g.staging, total);
    for (size_t i = 0, at = 0; i < (size_t)n_parts; at += counts[i++]) memcpy(parts[i], g.staging + at, counts[i] * sizeof(float));
}
