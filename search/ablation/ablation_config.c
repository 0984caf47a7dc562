/*
 * ablation_config.c: reads an ablation file (format in ablation.h) and names the grid's cells and runs.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ablation/ablation.h"
#include "common.h"
#include "methods.h"
#include "run/kv_file.h"

/* A word of a list: letters, digits and . _ - + only, so that it can go into a directory name. */
static void check_word(const KvWhere *w, const char *word, const char *what) {
    if (!word[0]) kv_error(w, "empty %s in the list", what);
    if (strlen(word) >= ABL_WORD) kv_error(w, "%s '%s' is too long", what, word);
    for (const char *c = word; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("._-+", *c)) kv_error(w, "%s '%s': only letters, digits and . _ - + are allowed", what, word);
}

/* Splits a comma- and/or space-separated list in place. Returns the count. */
static int split_list(const KvWhere *w, char *text, char **words, int max, const char *what) {
    int n = 0;
    for (char *tok = strtok(text, ", \t"); tok; tok = strtok(NULL, ", \t")) {
        if (n == max) kv_error(w, "more than %d %ss", max, what);
        check_word(w, tok, what);
        for (int k = 0; k < n; k++)
            if (strcmp(words[k], tok) == 0) kv_error(w, "%s '%s' is listed twice", what, tok);
        words[n++] = tok;
    }
    if (n == 0) kv_error(w, "the %s list is empty", what);
    return n;
}

static void parse_seeds(const KvWhere *w, char *value, AblationSpec *s) {
    char *words[ABL_MAX_SEEDS];
    s->n_seeds = split_list(w, value, words, ABL_MAX_SEEDS, "seed");
    for (int i = 0; i < s->n_seeds; i++) {
        char *end;
        errno = 0;
        long v = strtol(words[i], &end, 10);
        if (*end || errno || v < 0 || v > 2147483647L) kv_error(w, "seed '%s' is not an integer 0..2147483647", words[i]);
        s->seeds[i] = (int)v;
    }
}

/* "key: v1, v2, ..." */
static void parse_switch(const KvWhere *w, char *value, AblationSpec *s) {
    if (s->n_switches == ABL_MAX_SWITCHES) kv_error(w, "more than %d switches", ABL_MAX_SWITCHES);
    char *colon = strchr(value, ':');
    if (!colon) kv_error(w, "a switch is 'key: value1, value2', got '%s'", value);
    *colon = '\0';
    AblationSwitch *sw = &s->sw[s->n_switches];
    char *key = kv_trim(value), *words[ABL_MAX_VALUES];
    check_word(w, key, "switch key");
    for (int k = 0; k < s->n_switches; k++)
        if (strcmp(s->sw[k].key, key) == 0) kv_error(w, "switch '%s' is given twice", key);
    snprintf(sw->key, sizeof sw->key, "%s", key);
    sw->n_values = split_list(w, colon + 1, words, ABL_MAX_VALUES, "switch value");
    for (int k = 0; k < sw->n_values; k++) snprintf(sw->values[k], ABL_WORD, "%s", words[k]);
    s->n_switches++;
}

/* An ablation's runs are weight-sharing searches (the table-only methods have `search --runs`). */
static void check_method(const KvWhere *w, const char *name) {
    const Method *m = method_find(name);
    if (m && m->kind == METHOD_WEIGHT_SHARING) return;
    char names[256];
    method_names(METHOD_WEIGHT_SHARING, names, sizeof names);
    kv_error(w, "method '%s' is not a weight-sharing method (%s)", name, names);
}

static void parse_line(const KvWhere *w, char *key, char *value, AblationSpec *s) {
    char *words[ABL_MAX_METHODS];
    if (strcmp(key, "methods") == 0) {
        s->n_methods = split_list(w, value, words, ABL_MAX_METHODS, "method");
        for (int i = 0; i < s->n_methods; i++) check_method(w, words[i]), snprintf(s->methods[i], ABL_WORD, "%s", words[i]);
    } else if (strcmp(key, "seeds") == 0) {
        parse_seeds(w, value, s);
    } else if (strcmp(key, "switch") == 0) {
        parse_switch(w, value, s);
    } else if (strcmp(key, "set") == 0) {
        if (s->n_sets == ABL_MAX_SETS) kv_error(w, "more than %d set lines", ABL_MAX_SETS);
        if (!strchr(value, '=') || value[0] == '=' || strchr(value, ' ')) kv_error(w, "set needs 'key=value' without spaces, got '%s'", value);
        if ((int)strlen(value) >= ABL_WORD * 4) kv_error(w, "set value too long");
        snprintf(s->sets[s->n_sets++], ABL_WORD * 4, "%s", value);
    } else if (strcmp(key, "profile") == 0) {
        check_word(w, value, "profile");
        snprintf(s->profile, sizeof s->profile, "%s", value);
    } else if (strcmp(key, "data") == 0) {
        snprintf(s->data, sizeof s->data, "%s", value);
    } else if (strcmp(key, "jobs") == 0) {
        char *end;
        long v = strtol(value, &end, 10);
        if (*end || v < 1 || v > 64) kv_error(w, "jobs must be an integer 1..64, got '%s'", value);
        s->jobs = (int)v;
    } else {
        kv_error(w, "unknown key '%s' (methods, seeds, switch, set, profile, data, jobs)", key);
    }
}

/* <configs> = the folder above the ablation file's folder: configs/ablations/x.cfg -> configs. */
static void set_names(const char *path, AblationSpec *s) {
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".cfg") == 0) n -= 4;
    snprintf(s->name, sizeof s->name, "%.*s", (int)(n < ABL_WORD - 1 ? n : ABL_WORD - 1), base);
    snprintf(s->configs_dir, sizeof s->configs_dir, "%.*s/..", slash ? (int)(slash - path) : 1, slash ? path : ".");
}

static void check_complete(const char *path, AblationSpec *s) {
    KvWhere w = {path, 1};
    if (s->n_methods == 0) kv_error(&w, "no 'methods =' line");
    if (s->n_seeds == 0) kv_error(&w, "no 'seeds =' line");
    if (!s->profile[0]) return;
    for (int m = 0; m < s->n_methods; m++) {
        char cfg[ABL_PATH + 2 * ABL_WORD];
        struct stat st;
        ablation_config_path(s, m, cfg, sizeof cfg);
        if (stat(cfg, &st) != 0) sn_die(SN_EXIT_USAGE, "%s: profile '%s' needs %s, which does not exist", path, s->profile, cfg);
    }
}

void ablation_config_path(const AblationSpec *s, int m, char *out, size_t len) {
    char name[2 * ABL_WORD + 8];
    method_config_name(s->methods[m], s->profile, name, sizeof name);
    if ((size_t)snprintf(out, len, "%s/%s", s->configs_dir, name) >= len) sn_die(SN_EXIT_USAGE, "config path too long: %s/%s", s->configs_dir, name);
}

typedef struct {
    AblationSpec *spec;
    int seen[4]; /* of ONCE */
} FileLoad;

static void load_line(void *ctx, const KvWhere *w, char *key, char *value) {
    static const char *const ONCE[4] = {"methods", "seeds", "profile", "data"};
    FileLoad *load = ctx;
    for (int k = 0; k < 4; k++)
        if (strcmp(key, ONCE[k]) == 0 && load->seen[k]++) kv_error(w, "'%s' is given twice", key);
    if (!value[0]) kv_error(w, "'%s' has no value", key);
    parse_line(w, key, value, load->spec);
}

void ablation_load(const char *path, AblationSpec *s) {
    memset(s, 0, sizeof *s);
    s->jobs = 1;
    set_names(path, s);
    FileLoad load = {.spec = s};
    kv_parse_file(path, KV_PLAIN, load_line, &load);
    check_complete(path, s);
}

int ablation_n_cells(const AblationSpec *s) {
    int n = s->n_methods;
    for (int k = 0; k < s->n_switches; k++) n *= s->sw[k].n_values;
    return n;
}

void ablation_cell(const AblationSpec *s, int cell, int *method, int choice[ABL_MAX_SWITCHES]) {
    for (int k = s->n_switches - 1; k >= 0; k--) {
        choice[k] = cell % s->sw[k].n_values;
        cell /= s->sw[k].n_values;
    }
    *method = cell;
}

void ablation_run_name(const AblationSpec *s, int cell, int seed_index, char *out, size_t len) {
    int method, choice[ABL_MAX_SWITCHES];
    ablation_cell(s, cell, &method, choice);
    size_t n = (size_t)snprintf(out, len, "%s", s->methods[method]);
    for (int k = 0; k < s->n_switches && n < len; k++)
        n += (size_t)snprintf(out + n, len - n, "-%s-%s", s->sw[k].key, s->sw[k].values[choice[k]]);
    if (n < len) snprintf(out + n, len - n, "-s%d", s->seeds[seed_index]);
}
