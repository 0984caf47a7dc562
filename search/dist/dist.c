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
    int rank, size, joined;
    float *staging;
    size_t staging_cap;
} g = {0, 1, 0, NULL, 0};

int dist_rank(void) { return g.rank; }
int dist_size(void) { return g.size; }
int dist_is_root(void) { return g.rank == 0; }

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
    MPI_Comm_rank(MPI_COMM_WORLD, &g.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g.size);
    if (g.size > 1) sn_set_die_hook(wait_for_root_to_report);
}

void dist_finalize(void) {
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
    if (g.size > 1) MPI_Allreduce(MPI_IN_PLACE, values, count_of(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

void dist_sum_f64(double *values, size_t n) {
    if (g.size > 1) MPI_Allreduce(MPI_IN_PLACE, values, count_of(n), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

void dist_broadcast(void *data, size_t bytes) {
    if (g.size > 1) MPI_Bcast(data, count_of(bytes), MPI_BYTE, 0, MPI_COMM_WORLD);
}

int dist_agree(uint64_t value) {
    if (g.size == 1) return 1;
    uint64_t v[2] = {value, ~value}; /* max(~x) = ~min(x): both extremes in one call */
    MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return v[0] == ~v[1];
}

void dist_barrier(void) {
    if (g.size > 1) MPI_Barrier(MPI_COMM_WORLD);
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
