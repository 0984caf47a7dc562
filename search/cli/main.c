/* main.c: the `supernet` executable: dispatches to the command named by the first word. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common.h"
#include "dist/dist.h"
#include "methods.h"

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} Command;

static const Command COMMANDS[] = {
    {"ablate", "run a grid of searches (methods x config switches x seeds) and summarise it like Table 5", cmd_ablate},
    {"bench", "time the engine's building blocks (kernels, data pipeline, training steps)", cmd_bench},
    {"plot", "draw PNG charts of search runs (derivation per epoch, op probabilities, op counts)", cmd_plot},
    {"query", "print the benchmark table's values for a cell, or the best cells of a dataset", cmd_query},
    {"rank", "rank the cells by a score and compare with the table's ranking (Kendall tau, Spearman rho, precision@k)", cmd_rank},
    {"search", "run a search method (weight-sharing, or table-only on the benchmark; the methods are below)", cmd_search},
    {"train", "train one cell from scratch with the benchmark's recipe; its accuracies beside the table's", cmd_train},
    {"table-build", "rebuild data/nasbench201.sntab from the benchmark CSVs (maintenance)", cmd_table_build},
    {"version", "print the versions of supernet and the libraries it runs on", cmd_version},
};
#define N_COMMANDS ((int)(sizeof COMMANDS / sizeof COMMANDS[0]))

static void print_help(void) {
    printf("supernet: weight-sharing neural architecture search on the NAS-Bench-201 space\n\n"
           "usage: supernet <command> [options]\n\ncommands:\n");
    for (int i = 0; i < N_COMMANDS; i++) printf("  %-12s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    methods_print_help();
    printf("\n'supernet <command> --help' lists a command's flags and their defaults.\n");
}

/* Under mpirun a search (and its benchmark) is data-parallel and an ablation spreads its runs over
 * the ranks; every other command would run K times over the same files. */
static int run_command(const Command *c, int argc, char **argv) {
    if (dist_size() > 1 && strcmp(c->name, "search") != 0 && strcmp(c->name, "bench") != 0 && strcmp(c->name, "ablate") != 0)
        sn_die(SN_EXIT_USAGE, "supernet %s runs in one process; under mpirun only 'search', 'bench' and 'ablate' run on the ranks",
               c->name);
    int status = c->run(argc - 2, argv + 2);
    if (status == 0) dist_finalize(); /* a failing rank leaves without it, and mpirun ends the job */
    return status;
}

int main(int argc, char **argv) {
    dist_init(&argc, &argv);
    if (argc < 2) {
        print_help();
        return SN_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_help();
        dist_finalize();
        return 0;
    }
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0) return run_command(&COMMANDS[i], argc, argv);
    sn_die(SN_EXIT_USAGE, "unknown command '%s' (see 'supernet --help')", argv[1]);
}
