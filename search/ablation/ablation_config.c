/*
 * ablation_config.c: reads an ablation file (format in ablation.h) and expands its grids into the
 * spec's unique cells and runs.
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

/* One switch of a grid: a config key and its values. */
typedef struct {
    char key[ABL_WORD];
    int n_values;
    char values[ABL_MAX_VALUES][ABL_WORD];
} Switch;

/* One grid as read, before it is expanded into the spec's cells and runs. */
typedef struct {
    char methods[ABL_MAX_METHODS][ABL_WORD];
    int n_methods;
    int seeds[ABL_MAX_SEEDS];
    int n_seeds;
    Switch sw[ABL_MAX_SWITCHES];
    int n_switches;
} Grid;

/* An ablation's runs are weight-sharing searches (the table-only methods have `search --runs`). */
static void check_method(const KvWhere *w, const char *name) {
    const Method *m = method_find(name);
    if (m && m->kind == METHOD_WEIGHT_SHARING) return;
    char names[256];
    method_names(METHOD_WEIGHT_SHARING, names, sizeof names);
    kv_error(w, "method '%s' is not a weight-sharing method (%s)", name, names);
}

static void parse_methods(const KvWhere *w, char *value, Grid *g) {
    char *words[ABL_MAX_METHODS];
    g->n_methods = split_list(w, value, words, ABL_MAX_METHODS, "method");
    for (int i = 0; i < g->n_methods; i++) check_method(w, words[i]), snprintf(g->methods[i], ABL_WORD, "%s", words[i]);
}

static void parse_seeds(const KvWhere *w, char *value, Grid *g) {
    char *words[ABL_MAX_SEEDS];
    g->n_seeds = split_list(w, value, words, ABL_MAX_SEEDS, "seed");
    for (int i = 0; i < g->n_seeds; i++) {
        char *end;
        errno = 0;
        long v = strtol(words[i], &end, 10);
        if (*end || errno || v < 0 || v > 2147483647L) kv_error(w, "seed '%s' is not an integer 0..2147483647", words[i]);
        g->seeds[i] = (int)v;
    }
}

/* The index of a switch key in the spec's keys (every grid's), appended when new. */
static int key_column(AblationSpec *s, const KvWhere *w, const char *key) {
    for (int k = 0; k < s->n_keys; k++)
        if (strcmp(s->keys[k], key) == 0) return k;
    if (s->n_keys == ABL_MAX_SWITCHES) kv_error(w, "more than %d switch keys in the file's grids", ABL_MAX_SWITCHES);
    snprintf(s->keys[s->n_keys], ABL_WORD, "%s", key);
    return s->n_keys++;
}

/* The keys that name a run (its method, seed and data) have their own lines: as a switch or a set they
 * would run something other than the run's name says. */
static void refuse_run_identity_key(const KvWhere *w, const char *key, size_t len, const char *as) {
    static const char *const OWN_LINE[3][2] = {{"method", "methods = ..."}, {"seed", "seeds = ..."}, {"data", "data = ..."}};
    for (int k = 0; k < 3; k++)
        if (strlen(OWN_LINE[k][0]) == len && strncmp(key, OWN_LINE[k][0], len) == 0)
            kv_error(w, "'%s' cannot be a %s: it names the run; list it in '%s'", OWN_LINE[k][0], as, OWN_LINE[k][1]);
}

/* "key: v1, v2, ..." */
static void parse_switch(const KvWhere *w, char *value, Grid *g, AblationSpec *s) {
    if (g->n_switches == ABL_MAX_SWITCHES) kv_error(w, "more than %d switches", ABL_MAX_SWITCHES);
    char *colon = strchr(value, ':');
    if (!colon) kv_error(w, "a switch is 'key: value1, value2', got '%s'", value);
    *colon = '\0';
    Switch *sw = &g->sw[g->n_switches];
    char *key = kv_trim(value), *words[ABL_MAX_VALUES];
    check_word(w, key, "switch key");
    refuse_run_identity_key(w, key, strlen(key), "switch");
    for (int i = 0; i < s->n_sets; i++)
        if (strncmp(s->sets[i], key, strlen(key)) == 0 && s->sets[i][strlen(key)] == '=')
            kv_error(w, "switch '%s' is also fixed by 'set = %s'", key, s->sets[i]);
    for (int k = 0; k < g->n_switches; k++)
        if (strcmp(g->sw[k].key, key) == 0) kv_error(w, "switch '%s' is given twice", key);
    key_column(s, w, key);
    snprintf(sw->key, sizeof sw->key, "%s", key);
    sw->n_values = split_list(w, colon + 1, words, ABL_MAX_VALUES, "switch value");
    for (int k = 0; k < sw->n_values; k++) snprintf(sw->values[k], ABL_WORD, "%s", words[k]);
    g->n_switches++;
}

static void parse_shared(const KvWhere *w, const char *key, char *value, AblationSpec *s) {
    if (strcmp(key, "set") == 0) {
        if (s->n_sets == ABL_MAX_SETS) kv_error(w, "more than %d set lines", ABL_MAX_SETS);
        if (!strchr(value, '=') || value[0] == '=' || strchr(value, ' ')) kv_error(w, "set needs 'key=value' without spaces, got '%s'", value);
        if ((int)strlen(value) >= ABL_WORD * 4) kv_error(w, "set value too long");
        refuse_run_identity_key(w, value, (size_t)(strchr(value, '=') - value), "set");
        for (int i = 0; i < s->n_sets; i++)
            if (strncmp(s->sets[i], value, (size_t)(strchr(value, '=') - value) + 1) == 0)
                kv_error(w, "set '%.*s' is given twice", (int)(strchr(value, '=') - value), value);
        snprintf(s->sets[s->n_sets++], ABL_WORD * 4, "%s", value);
    } else if (strcmp(key, "profile") == 0) {
        if (s->profile[0]) kv_error(w, "'profile' is given twice");
        check_word(w, value, "profile");
        snprintf(s->profile, sizeof s->profile, "%s", value);
    } else if (strcmp(key, "data") == 0) {
        if (s->data[0]) kv_error(w, "'data' is given twice");
        snprintf(s->data, sizeof s->data, "%s", value);
    } else { /* jobs */
        char *end;
        long v = strtol(value, &end, 10);
        if (*end || v < 1 || v > 64) kv_error(w, "jobs must be an integer 1..64, got '%s'", value);
        s->jobs = (int)v;
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

static void check_profile(const char *path, const AblationSpec *s) {
    if (!s->profile[0]) return;
    for (int c = 0; c < s->n_cells; c++) {
        char cfg[ABL_PATH + 2 * ABL_WORD];
        struct stat st;
        ablation_config_path(s, s->cells[c].method, cfg, sizeof cfg);
        if (stat(cfg, &st) != 0) sn_die(SN_EXIT_USAGE, "%s: profile '%s' needs %s, which does not exist", path, s->profile, cfg);
    }
}

void ablation_config_path(const AblationSpec *s, const char *method, char *out, size_t len) {
    char name[2 * ABL_WORD + 8];
    method_config_name(method, s->profile, name, sizeof name);
    if ((size_t)snprintf(out, len, "%s/%s", s->configs_dir, name) >= len) sn_die(SN_EXIT_USAGE, "config path too long: %s/%s", s->configs_dir, name);
}

typedef struct {
    AblationSpec *spec;
    Grid grid;                 /* the grid being read */
    int grid_line;             /* its [grid] line; 0: no [grid] line so far */
    char first_key[ABL_WORD];  /* the first grid key before any [grid] line, and its line */
    int first_key_line;
    int cell_room, run_room;   /* allocated elements of spec->cells, spec->runs */
} FileLoad;

/* Room for `more` elements after the first n of array (*room allocated). */
static void *grow(void *array, int *room, int n, int more, size_t size) {
    if (n + more <= *room) return array;
    *room = 2 * (n + more);
    void *grown = realloc(array, size * (size_t)*room);
    if (!grown) sn_die(EXIT_FAILURE, "out of memory for %d grid cells or runs", *room);
    return grown;
}

/* Cell `combo` of method m of the grid (the last switch varying fastest), named by the spec's keys. */
static void grid_cell(AblationSpec *s, const Grid *g, int m, int combo, const KvWhere *w, AblationCell *cell) {
    memset(cell, 0, sizeof *cell);
    snprintf(cell->method, sizeof cell->method, "%s", g->methods[m]);
    for (int k = g->n_switches - 1; k >= 0; k--) {
        snprintf(cell->values[key_column(s, w, g->sw[k].key)], ABL_WORD, "%s", g->sw[k].values[combo % g->sw[k].n_values]);
        combo /= g->sw[k].n_values;
    }
    size_t n = (size_t)snprintf(cell->name, sizeof cell->name, "%s", cell->method);
    for (int k = 0; k < s->n_keys && n < sizeof cell->name; k++)
        if (cell->values[k][0]) n += (size_t)snprintf(cell->name + n, sizeof cell->name - n, "-%s-%s", s->keys[k], cell->values[k]);
    if (n >= sizeof cell->name) kv_error(w, "the name of cell '%s...' is too long", cell->name);
}

/* A cell of an earlier grid with the same name is the same cell. */
static int add_cell(AblationSpec *s, const AblationCell *cell) {
    for (int c = 0; c < s->n_cells; c++)
        if (strcmp(s->cells[c].name, cell->name) == 0) return c;
    s->cells[s->n_cells] = *cell;
    return s->n_cells++;
}

/* A seed the cell has from an earlier grid is the same run. */
static void add_run(AblationSpec *s, const KvWhere *w, int c, int seed) {
    AblationCell *cell = &s->cells[c];
    for (int i = 0; i < cell->n_seeds; i++)
        if (cell->seeds[i] == seed) return;
    if (cell->n_seeds == ABL_MAX_SEEDS) kv_error(w, "cell '%s' gets more than %d seeds from its grids", cell->name, ABL_MAX_SEEDS);
    cell->seeds[cell->n_seeds++] = seed;
    AblationRun *r = &s->runs[s->n_runs++];
    r->cell = c, r->seed = seed;
    snprintf(r->name, sizeof r->name, "%s-s%d", cell->name, seed);
}

static void expand_grid(FileLoad *load, const KvWhere *w) {
    AblationSpec *s = load->spec;
    const Grid *g = &load->grid;
    int combos = 1;
    for (int k = 0; k < g->n_switches; k++) combos *= g->sw[k].n_values;
    s->cells = grow(s->cells, &load->cell_room, s->n_cells, g->n_methods * combos, sizeof *s->cells);
    s->runs = grow(s->runs, &load->run_room, s->n_runs, g->n_methods * combos * g->n_seeds, sizeof *s->runs);
    for (int m = 0; m < g->n_methods; m++)
        for (int combo = 0; combo < combos; combo++) {
            AblationCell cell;
            grid_cell(s, g, m, combo, w, &cell);
            int c = add_cell(s, &cell);
            for (int i = 0; i < g->n_seeds; i++) add_run(s, w, c, g->seeds[i]);
        }
}

/* Checks the grid just read and adds its cells and runs; messages name its [grid] line (line 1 in a
 * file without one). */
static void end_grid(FileLoad *load, const char *file) {
    KvWhere w = {file, load->grid_line ? load->grid_line : 1};
    const Grid *g = &load->grid;
    const char *where = load->grid_line ? " in the grid" : "";
    if (load->grid_line && !g->n_methods && !g->n_seeds && !g->n_switches) kv_error(&w, "empty grid");
    if (!g->n_methods) kv_error(&w, "no 'methods =' line%s", where);
    if (!g->n_seeds) kv_error(&w, "no 'seeds =' line%s", where);
    expand_grid(load, &w);
    memset(&load->grid, 0, sizeof load->grid);
}

static void start_grid(FileLoad *load, const KvWhere *w, const char *section) {
    if (strcmp(section, "grid") != 0) kv_error(w, "unknown section '[%s]' (only [grid])", section);
    if (load->first_key_line) {
        KvWhere at = {w->file, load->first_key_line};
        kv_error(&at, "'%s' before the first [grid] line: in a file with grids it belongs to a grid", load->first_key);
    }
    if (load->grid_line) end_grid(load, w->file);
    load->grid_line = w->line;
}

static void read_grid_key(FileLoad *load, const KvWhere *w, const char *key, char *value) {
    Grid *g = &load->grid;
    if (!load->grid_line && !load->first_key_line) {
        load->first_key_line = w->line;
        snprintf(load->first_key, sizeof load->first_key, "%s", key);
    }
    if (strcmp(key, "methods") == 0) {
        if (g->n_methods) kv_error(w, "'methods' is given twice");
        parse_methods(w, value, g);
    } else if (strcmp(key, "seeds") == 0) {
        if (g->n_seeds) kv_error(w, "'seeds' is given twice");
        parse_seeds(w, value, g);
    } else {
        parse_switch(w, value, g, load->spec);
    }
}

static int listed(const char *const *words, int n, const char *word) {
    for (int i = 0; i < n; i++)
        if (strcmp(words[i], word) == 0) return 1;
    return 0;
}

static void load_line(void *ctx, const KvWhere *w, char *key, char *value) {
    static const char *const GRID_KEYS[3] = {"methods", "seeds", "switch"}, *const SHARED_KEYS[4] = {"set", "profile", "data", "jobs"};
    FileLoad *load = ctx;
    if (!value) {
        start_grid(load, w, key);
        return;
    }
    if (!value[0]) kv_error(w, "'%s' has no value", key);
    if (listed(GRID_KEYS, 3, key)) {
        read_grid_key(load, w, key, value);
    } else if (listed(SHARED_KEYS, 4, key)) {
        if (load->grid_line) kv_error(w, "'%s' is shared by all grids: it goes before the first [grid] line", key);
        parse_shared(w, key, value, load->spec);
    } else {
        kv_error(w, "unknown key '%s' (methods, seeds, switch, set, profile, data, jobs)", key);
    }
}

void ablation_load(const char *path, AblationSpec *s) {
    memset(s, 0, sizeof *s);
    s->jobs = 1;
    set_names(path, s);
    FileLoad load = {.spec = s};
    kv_parse_file(path, KV_SECTION_LINES, load_line, &load);
    end_grid(&load, path);
    check_profile(path, s);
}

void ablation_free(AblationSpec *s) {
    free(s->cells);
    free(s->runs);
    s->cells = NULL, s->runs = NULL;
}
