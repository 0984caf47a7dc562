/* cli.c: table-driven flag parsing with one-line errors (see cli.h). */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "common.h"

void cli_usage_error(const CliSpec *spec, const char *fmt, ...) {
    va_list ap;
    sn_die_begin();
    fprintf(stderr, "supernet %s: ", spec->command);
    va_start(ap, fmt);
    sn_print_error_text(fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'supernet %s --help')\n", spec->command);
    exit(SN_EXIT_USAGE);
}

static int choice_matches(const char *choices, const char *word) {
    size_t n = strlen(word);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0) return 1;
        p += len + (bar != NULL);
    }
    return 0;
}

static int out_of_range(const CliOption *o, double v) { return o->lo != o->hi && (v < o->lo || v > o->hi); }

static void set_value(const CliSpec *spec, const CliOption *o, const char *text) {
    char *end;
    errno = 0;
    switch (o->kind) {
    case CLI_INT: {
        long v = strtol(text, &end, 10);
        if (*text == '\0' || *end != '\0' || errno || v < -2147483647L || v > 2147483647L)
            cli_usage_error(spec, "%s expects an integer, got '%s'", o->name, text);
        if (out_of_range(o, (double)v))
            cli_usage_error(spec, "%s must be in [%g, %g], got %ld", o->name, o->lo, o->hi, v);
        *(int *)o->value = (int)v;
        break;
    }
    case CLI_FLOAT: {
        double v = strtod(text, &end);
        if (*text == '\0' || *end != '\0' || errno || !isfinite(v))
            cli_usage_error(spec, "%s expects a number, got '%s'", o->name, text);
        if (out_of_range(o, v)) cli_usage_error(spec, "%s must be in [%g, %g], got %g", o->name, o->lo, o->hi, v);
        *(double *)o->value = v;
        break;
    }
    case CLI_CHOICE:
        if (!choice_matches(o->choices, text))
            cli_usage_error(spec, "%s must be one of %s, got '%s'", o->name, o->choices, text);
        *(const char **)o->value = text;
        break;
    case CLI_STRING:
        *(const char **)o->value = text;
        break;
    case CLI_FLAG:
        *(int *)o->value = 1;
        break;
    }
}

static const CliOption *find_option(const CliSpec *spec, const char *name, size_t len) {
    for (int i = 0; i < spec->n_options; i++)
        if (strlen(spec->options[i].name) == len && strncmp(spec->options[i].name, name, len) == 0)
            return &spec->options[i];
    return NULL;
}

static unsigned char given[CLI_MAX_OPTIONS];

int cli_given(const CliSpec *spec, const char *name) {
    for (int i = 0; i < spec->n_options; i++)
        if (strcmp(spec->options[i].name, name) == 0) return given[i];
    return 0;
}

void cli_refuse_other_scopes(const CliSpec *spec, int scope, const char *use) {
    for (int i = 0; i < spec->n_options; i++) {
        const CliOption *o = &spec->options[i];
        if (given[i] && o->scope && o->scope != scope)
            cli_usage_error(spec, "%s does not apply: %s (it is a %s flag)", o->name, use, spec->scopes[o->scope - 1]);
    }
}

static void mark_given(const CliSpec *spec, const CliOption *o) {
    size_t i = (size_t)(o - spec->options);
    if (given[i]) cli_usage_error(spec, "%s is given twice", o->name);
    given[i] = 1;
}

int cli_parse(const CliSpec *spec, int argc, char **argv, char **positional) {
    int n_pos = 0;
    SN_ASSERT(spec->n_options <= CLI_MAX_OPTIONS, "supernet %s has %d options, more than CLI_MAX_OPTIONS", spec->command,
              spec->n_options);
    memset(given, 0, sizeof given);
    for (int i = 0; i < argc; i++) {
        const char *word = argv[i];
        if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
            cli_print_help(spec);
            exit(0);
        }
        if (word[0] != '-' || word[1] == '\0' || (word[1] >= '0' && word[1] <= '9')) {
            if (n_pos >= spec->max_positional) cli_usage_error(spec, "unexpected argument '%s'", word);
            positional[n_pos++] = argv[i];
            continue;
        }
        const char *eq = strchr(word, '=');
        size_t name_len = eq ? (size_t)(eq - word) : strlen(word);
        const CliOption *o = find_option(spec, word, name_len);
        if (!o) cli_usage_error(spec, "unknown flag '%.*s'", (int)name_len, word);
        mark_given(spec, o);
        if (o->kind == CLI_FLAG) {
            if (eq) cli_usage_error(spec, "%s takes no value", o->name);
            set_value(spec, o, "");
        } else if (eq) {
            set_value(spec, o, eq + 1);
        } else {
            if (i + 1 >= argc) cli_usage_error(spec, "%s needs a value", o->name);
            set_value(spec, o, argv[++i]);
        }
    }
    if (n_pos < spec->min_positional) cli_usage_error(spec, "missing argument: usage is 'supernet %s %s'", spec->command, spec->synopsis);
    return n_pos;
}

static void print_default(const CliOption *o) {
    switch (o->kind) {
    case CLI_INT: printf(" (default %d)", *(const int *)o->value); break;
    case CLI_FLOAT: printf(" (default %g)", *(const double *)o->value); break;
    case CLI_STRING:
    case CLI_CHOICE: {
        const char *s = *(const char *const *)o->value;
        printf(" (default %s)", s ? s : "none");
        break;
    }
    case CLI_FLAG: printf(" (default off)"); break;
    }
}

void cli_print_help(const CliSpec *spec) {
    printf("usage: supernet %s %s\n\n%s\n", spec->command, spec->synopsis, spec->summary);
    if (spec->n_options) printf("\noptions:\n");
    for (int i = 0; i < spec->n_options; i++) {
        const CliOption *o = &spec->options[i];
        char head[64];
        const char *arg = o->kind == CLI_FLAG ? "" : o->kind == CLI_CHOICE ? o->choices
                        : o->kind == CLI_INT ? "N" : o->kind == CLI_FLOAT ? "X" : "TEXT";
        snprintf(head, sizeof head, "%s%s%s", o->name, *arg ? " " : "", arg);
        printf("  %-28s %s%s%s", head, o->scope ? spec->scopes[o->scope - 1] : "", o->scope ? ": " : "", o->help);
        print_default(o);
        printf("\n");
    }
    printf("  %-28s %s\n", "--help", "print this help and exit");
    if (spec->print_epilogue) spec->print_epilogue();
}

int cli_resolve_cell(const CliSpec *spec, const Table *t, const char *text) {
    char err[256];
    Arch a;
    if (text[0] == '|') {
        if (arch_parse(text, &a, err, sizeof err) != 0) cli_usage_error(spec, "bad architecture string '%s': %s", text, err);
        return table_index_of_code(t, arch_to_code(&a));
    }
    size_t n = strspn(text, "0123456789");
    if (n == 0 || text[n] != '\0')
        cli_usage_error(spec, "'%s' is neither an architecture string (|op~0|+...), an index 0..15624 nor a 6-digit op code", text);
    if (n == ARCH_N_EDGES) {
        int code = arch_code_parse(text);
        if (code < 0) cli_usage_error(spec, "'%s' has 6 digits so it is read as an op code, but its digit at offset %zu is not an op 0..4", text, strcspn(text, "56789"));
        return table_index_of_code(t, code);
    }
    long index = 0;
    for (size_t i = 0; i < n && i < 6; i++) index = index * 10 + (text[i] - '0');
    if (n > ARCH_N_EDGES || index >= TABLE_N_ARCHS) cli_usage_error(spec, "index %s is out of range 0..%d", text, TABLE_N_ARCHS - 1);
    return (int)index;
}

int cli_take_sets(const CliSpec *spec, int argc, char **argv, const char **sets, int *n_sets) {
    int kept = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0) {
            if (i + 1 >= argc) cli_usage_error(spec, "--set needs key=value");
            sets[(*n_sets)++] = argv[++i];
        } else if (strncmp(argv[i], "--set=", 6) == 0) {
            sets[(*n_sets)++] = argv[i] + 6;
        } else {
            argv[kept++] = argv[i];
        }
    }
    return kept;
}
