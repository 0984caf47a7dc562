/*
 * cli.h: the option parser every `supernet <command>` uses. A command describes its flags in a
 * table (name, kind, where the value goes, help text); the parser fills the values, prints
 * `--help` with each flag's current value as its default, and turns every mistake into one line
 * on stderr and exit status 2.
 *
 * To add a flag: add a row to the command's CliOption table; its variable's initial value is the
 * default that `--help` shows.
 */
#ifndef SN_CLI_H
#define SN_CLI_H

#include "table.h"

typedef enum {
    CLI_INT,    /* int*: decimal integer within [lo, hi] */
    CLI_FLOAT,  /* double*: finite number within [lo, hi] */
    CLI_STRING, /* const char**: any text */
    CLI_CHOICE, /* const char**: one of the '|'-separated words in `choices` */
    CLI_FLAG,   /* int*: set to 1 when present; takes no value */
} CliKind;

typedef struct {
    const char *name; /* with leading dashes: "--batch" */
    CliKind kind;
    void *value;
    const char *help;
    const char *choices; /* CLI_CHOICE: "darts|gdas|discrete|eval" */
    double lo, hi;       /* CLI_INT / CLI_FLOAT: accepted range, inclusive; lo == hi means unbounded */
    int scope;           /* 0: every use of the command; k > 0: only the uses named CliSpec.scopes[k - 1] */
} CliOption;

/* The number of entries of an options[] array, for CliSpec.n_options. */
#define CLI_COUNT(options) ((int)(sizeof(options) / sizeof((options)[0])))

typedef struct {
    const char *command;  /* "bench" */
    const char *summary;  /* the first line of the command's --help (cli/main.c lists the commands) */
    const char *synopsis; /* "[options] ARCH|INDEX" */
    const CliOption *options;
    int n_options;
    int min_positional, max_positional;
    void (*print_epilogue)(void); /* may be NULL: prints more after the options in --help */
    const char *const *scopes;    /* may be NULL: the names of the option scopes ("weight-sharing"), which
                                   * --help prints before each scoped option's help */
} CliSpec;

/* The most options a command may have. */
#define CLI_MAX_OPTIONS 48

/* Parses argv[0..argc) (the words after the command name). Positional words are stored in
 * positional[] (room for spec->max_positional) and counted in the return value. `--help` prints the
 * command's help and exits 0; any error exits 2 with one line naming the offending word, a flag given
 * twice included. A process parses one command line: the flags given are kept for cli_given. */
int cli_parse(const CliSpec *spec, int argc, char **argv, char **positional);

/* Whether the last cli_parse saw the flag `name`. */
int cli_given(const CliSpec *spec, const char *name);

/* A usage error if the last cli_parse saw a flag of a scope other than 0 and `scope`; `use` names the
 * use in the message ("--method rs searches the table"). */
void cli_refuse_other_scopes(const CliSpec *spec, int scope, const char *use);

void cli_print_help(const CliSpec *spec);

/* One-line usage error for a command: "supernet <command>: <message>", exit 2. */
void cli_usage_error(const CliSpec *spec, const char *fmt, ...) __attribute__((format(printf, 2, 3), __noreturn__));

/* Takes every `--set key=value` (or `--set=key=value`) out of argv[0..argc) into sets (room for argc),
 * counted in *n_sets: the option table holds one value per flag, and --set repeats. Returns the
 * remaining word count. */
int cli_take_sets(const CliSpec *spec, int argc, char **argv, const char **sets, int *n_sets);

/* The benchmark index of the cell `text` names: an architecture string (|op~0|+...), a 6-digit op code
 * or an index 0..15624; a usage error names the word and, for strings, the offset. */
int cli_resolve_cell(const CliSpec *spec, const Table *t, const char *text);

#endif
