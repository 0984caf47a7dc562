/*
 * cmd_ablate.c: `supernet ablate configs/ablations/<name>.cfg` runs an ablation's grids (ablation.h)
 * and writes its summary: <out>/summary.md, summary.csv, summary.png, derivation.png.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ablation/ablation.h"
#include "atomic_file.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "common.h"
#include "dist/dist.h"
#include "run/locate.h"
#include "whole_file.h"

enum { SUMMARY_MD_MAX_BYTES = 16 << 20 };

/* Prints the summary just written; a problem reading it only costs the printout. */
static void print_file(const char *path) {
    char why[256];
    size_t len;
    char *text = read_whole_file(path, SUMMARY_MD_MAX_BYTES, &len, why, sizeof why);
    if (!text) return;
    fwrite(text, 1, len, stdout);
    free(text);
}

int cmd_ablate(int argc, char **argv) {
    const char *out = NULL, *search_cmd = NULL;
    int jobs = 0, threads = 0, report_only = 0, ranks_per_run = 1;
    const CliOption options[] = {
        {"--out", CLI_STRING, &out, "folder of the runs and the summary (default logs/ablations/<name>)", NULL, 0, 0, 0},
        {"--jobs", CLI_INT, &jobs, "runs at the same time (0: the file's 'jobs', else 1)", NULL, 0, 64, 0},
        {"--threads", CLI_INT, &threads, "--threads for each run (0: not passed, the run's default)", NULL, 0, 256, 0},
        {"--search-cmd", CLI_STRING, &search_cmd, "executable run as '<cmd> search ...' for each run (default: this supernet)", NULL, 0, 0, 0},
        {"--ranks-per-run", CLI_INT, &ranks_per_run, "under mpirun: the MPI ranks of each data-parallel run", NULL, 1, 4096, 0},
        {"--report-only", CLI_FLAG, &report_only, "start no run; only write the summary of the finished ones", NULL, 0, 0, 0},
    };
    const CliSpec spec = {.command = "ablate",
                          .summary = "run grids of searches (methods x config switches x seeds) and summarise them",
                          .synopsis = "ABLATION.cfg [options]", .options = options, .n_options = CLI_COUNT(options),
                          .min_positional = 1, .max_positional = 1};
    char *file;
    cli_parse(&spec, argc, argv, &file);
    AblationSpec s;
    ablation_load(file, &s);
    char out_buf[ABL_PATH], self[ABL_PATH], path[ABL_PATH + 16];
    if (!out) snprintf(out_buf, sizeof out_buf, "logs/ablations/%s", s.name), out = out_buf;
    int mpi = dist_world_size() > 1;
    if (mpi && (search_cmd || jobs)) cli_usage_error(&spec, "under mpirun the job's ranks run the searches: leave out %s", search_cmd ? "--search-cmd" : "--jobs");
    if (mpi && dist_world_size() % ranks_per_run != 0)
        cli_usage_error(&spec, "--ranks-per-run %d does not divide the job's %d MPI ranks", ranks_per_run, dist_world_size());
    if (!mpi && ranks_per_run > 1) cli_usage_error(&spec, "--ranks-per-run %d needs mpirun (one process runs one rank)", ranks_per_run);
    if (!search_cmd && !mpi) {
        if (locate_exe_path(self, sizeof self) != 0) sn_die(SN_EXIT_USAGE, "cannot find this executable's path; pass --search-cmd");
        search_cmd = self;
    } else if (search_cmd && access(search_cmd, X_OK) != 0) {
        cli_usage_error(&spec, "--search-cmd '%s' is not an executable file", search_cmd);
    }
    int failed = 0, root = dist_world_rank() == 0, rc = 0;
    if (!report_only) {
        AblationRunOptions opt = {.search_cmd = search_cmd, .out_dir = out, .jobs = jobs ? jobs : s.jobs,
                                  .threads = threads, .ranks_per_run = ranks_per_run, .search_in_process = cmd_search};
        if (root && mpi)
            printf("ablation %s: %d grid cell(s), %d run(s) over %d MPI ranks, %d per run, longest first, in %s\n", s.name,
                   s.n_cells, s.n_runs, dist_world_size(), ranks_per_run, out);
        else if (root) printf("ablation %s: %d grid cell(s), %d run(s), %d at a time, in %s\n", s.name, s.n_cells, s.n_runs, opt.jobs, out);
        fflush(stdout);
        failed = mpi ? ablation_run_mpi(&s, &opt) : ablation_run(&s, &opt);
    }
    if (root) {
        make_directories(out); /* --report-only on a new folder: the empty grid */
        rc = ablation_report(&s, out);
        snprintf(path, sizeof path, "%s/summary.md", out);
        printf("\n");
        print_file(path);
        printf("\nwrote %s/summary.md, summary.csv, summary.png, derivation.png\n", out);
        if (failed) printf("%d run(s) failed; rerun the same command to retry them\n", failed);
        fflush(stdout);
    }
    dist_world_barrier(); /* no rank leaves (and may end the job) before the summary is written */
    ablation_free(&s);
    return failed || rc ? 1 : 0;
}
