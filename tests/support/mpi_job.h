/* mpi_job.h: launching and killing 2-rank MPI jobs in the test_mpi_*.c tests. */
#ifndef SN_MPI_JOB_H
#define SN_MPI_JOB_H

#include <sys/types.h>

/* "mpirun -q --oversubscribe --allow-run-as-root -np 2" (CTest's SUPERNET_MPIEXEC, else mpirun),
 * quiet: no banner of mpirun's own when a rank fails. */
const char *mpirun_2_ranks(void);
/* Forks `sh -c "exec CMD"`; returns its pid (the mpirun process when CMD starts with mpirun). */
pid_t spawn_shell(const char *cmd);
/* The processes whose parent is `parent` (an mpirun's ranks), up to cap, into out; returns how many. */
int children_of(pid_t parent, pid_t *out, int cap);

#endif
