/* config.c: the search configuration keys, their parser and their printer (see config.h). */
#define _POSIX_C_SOURCE 200809L
#include "run/config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "supernet.h"
#include "run/kv_file.h"

typedef enum { KEY_INT, KEY_FLOAT, KEY_STRING } KeyType;

typedef struct {
    const char *name;
    KeyType type;
    size_t offset, size; /* field in SearchConfig; size for strings */
    const char *def;     /* default, as it would be written in a file */
    double lo, hi;       /* numbers: accepted range, inclusive */
    const char *help;
} ConfigKey;

#define F(field) offsetof(SearchConfig, field), sizeof(((SearchConfig *)0)->field)

/* Defaults are the reference values of DARTS / GDAS on CIFAR-10 (REFERENCE 4) where one exists. */
static const ConfigKey CONFIG_KEYS[] = {
    {"method", KEY_STRING, F(method), "gdas", 0, 0, "search strategy (see supernet search --help)"},
    {"data", KEY_STRING, F(data), "", 0, 0, "dataset folder; empty: the embedded CIFAR-10 subset"},
    {"seed", KEY_INT, F(seed), "1", 0, 2147483647, "seed of every random stream of the run"},
    {"epochs", KEY_INT, F(epochs), "250", 1, 100000, "search epochs"},
    {"batch_size", KEY_INT, F(batch_size), "64", 1, 4096, "images per weight step (and per arch step)"},
    {"valid_batch", KEY_INT, F(valid_batch), "64", 1, 4096, "images per batch of the valid loader"},
    {"train_images", KEY_INT, F(train_images), "0", 0, 1e9, "first n search-train images only (0: all)"},
    {"valid_images", KEY_INT, F(valid_images), "0", 0, 1e9, "first n search-valid images only (0: all)"},
    {"lr", KEY_FLOAT, F(lr), "0.025", 0, 10, "weight SGD learning rate at epoch 0"},
    {"eta_min", KEY_FLOAT, F(eta_min), "0.001", 0, 10, "cosine schedule's floor"},
    {"t_max", KEY_INT, F(t_max), "0", 0, 100000, "cosine period in epochs (0: epochs)"},
    {"momentum", KEY_FLOAT, F(momentum), "0.9", 0, 0.999999, "weight SGD momentum"},
    {"weight_decay", KEY_FLOAT, F(weight_decay), "0.0005", 0, 1, "weight SGD coupled L2 decay"},
    {"nesterov", KEY_INT, F(nesterov), "1", 0, 1, "Nesterov momentum (1) or heavy ball (0)"},
    {"grad_clip", KEY_FLOAT, F(grad_clip), "5", 0, 1e9, "global-norm clip of the weight gradient (0: off)"},
    {"arch_lr", KEY_FLOAT, F(arch_lr), "0.0003", 0, 10, "Adam learning rate of alpha"},
    {"arch_beta1", KEY_FLOAT, F(arch_beta1), "0.5", 0, 0.999999, "Adam beta1 of alpha"},
    {"arch_beta2", KEY_FLOAT, F(arch_beta2), "0.999", 0, 0.999999, "Adam beta2 of alpha"},
    {"arch_eps", KEY_FLOAT, F(arch_eps), "1e-08", 1e-30, 1, "Adam epsilon of alpha"},
    {"arch_weight_decay", KEY_FLOAT, F(arch_weight_decay), "0.001", 0, 1, "L2 decay of alpha (in the Adam gradient)"},
    {"tau_max", KEY_FLOAT, F(tau_max), "10", 1e-6, 1e6, "GDAS temperature at epoch 0"},
    {"tau_min", KEY_FLOAT, F(tau_min), "0.1", 1e-6, 1e6, "GDAS temperature at the last epoch"},
    {"channels", KEY_INT, F(channels), "16", 16, 1024, "C, channels of the first stage (multiple of 16)"},
    {"cells", KEY_INT, F(cells), "5", 1, 64, "N, search cells per stage"},
    {"track_running_stats", KEY_INT, F(track_running_stats), "0", 0, 1, "cell BNs keep running statistics"},
    {"eval_bn_batch_stats", KEY_INT, F(eval_bn_batch_stats), "0", 0, 1, "1: every BN uses batch statistics in evaluation during search (NATS-Bench)"},
    {"direct_conv", KEY_INT, F(direct_conv), "0", 0, 1, "1: direct convolutions only; 0: Winograd for 3x3s of >= 32 channels"},
    {"precision", KEY_STRING, F(precision), "fp32", 0, 0, SUPERNET_PRECISIONS ": bf16 convolutions with fp32 weights, optimizer and BN (the reference: fp32)"},
    {"valid_pass", KEY_INT, F(valid_pass), "1", 0, 1, "evaluate on the valid loader after each epoch"},
    {"rank_every", KEY_INT, F(rank_every), "0", 0, 100000, "every E epochs (and after the last) log Kendall tau / Spearman rho of the supernet's ranking against the table (0: off)"},
    {"rank_cells", KEY_INT, F(rank_cells), "100", 2, 15625, "rank_every: cells sampled with the run's seed"},
    {"rank_images", KEY_INT, F(rank_images), "256", 1, 1000000, "rank_every: search-valid images each cell is evaluated on"},
    {"loader_threads", KEY_INT, F(loader_threads), "1", 1, 64, "threads filling a batch (no effect on results)"},
    {"sync_bn", KEY_INT, F(sync_bn), "1", 0, 1, "under mpirun: 1 every BN uses the whole global batch's statistics; 0 each rank's own share's"},
    {"select_num", KEY_INT, F(select_num), "100", 1, 15625, "RSPS/SETN/ENAS: candidates scored after each epoch, one valid batch each"},
    {"select_common", KEY_INT, F(select_common), "0", 0, 1, "RSPS/SETN/ENAS: 1: every selection draws the same candidates and batches (not the reference)"},
    {"final_select_num", KEY_INT, F(final_select_num), "100", 1, 15625, "RSPS/SETN/ENAS: candidates scored after the last epoch"},
    {"controller_lr", KEY_FLOAT, F(controller_lr), "0.001", 0, 10, "ENAS: Adam learning rate of the controller"},
    {"controller_beta1", KEY_FLOAT, F(controller_beta1), "0", 0, 0.999999, "ENAS: controller Adam beta1"},
    {"controller_beta2", KEY_FLOAT, F(controller_beta2), "0.999", 0, 0.999999, "ENAS: controller Adam beta2"},
    {"controller_eps", KEY_FLOAT, F(controller_eps), "0.001", 1e-30, 1, "ENAS: controller Adam epsilon"},
    {"controller_entropy_weight", KEY_FLOAT, F(controller_entropy_weight), "0.0001", 0, 1, "ENAS: reward = acc + w * entropy"},
    {"controller_bl_dec", KEY_FLOAT, F(controller_bl_dec), "0.99", 0, 1, "ENAS: baseline decay"},
    {"controller_grad_clip", KEY_FLOAT, F(controller_grad_clip), "5", 0, 1e9, "ENAS: global-norm clip of the controller gradient (0: off)"},
    {"controller_temperature", KEY_FLOAT, F(controller_temperature), "5", 1e-6, 1e6, "ENAS: logits divided by this"},
    {"controller_tanh_constant", KEY_FLOAT, F(controller_tanh_constant), "2.5", 1e-6, 1e6, "ENAS: logits = c tanh(logits / T)"},
    {"controller_train_steps", KEY_INT, F(controller_train_steps), "50", 0, 100000, "ENAS: controller Adam steps per epoch"},
    {"controller_num_aggregate", KEY_INT, F(controller_num_aggregate), "20", 1, 100000, "ENAS: samples per controller step"},
    {"controller_canonical_baseline", KEY_INT, F(controller_canonical_baseline), "0", 0, 1,
     "ENAS: 0 the reference's baseline (previous epoch's, entropy not detached), 1 per-sample EMA, detached reward"},
};
#define N_KEYS ((int)(sizeof CONFIG_KEYS / sizeof CONFIG_KEYS[0]))

static int key_used(const ConfigState *s, int k) {
    if (!s->only) return 1;
    for (const char *const *name = s->only; *name; name++)
        if (strcmp(*name, CONFIG_KEYS[k].name) == 0) return 1;
    return 0;
}

static int find_key(const char *name) {
    for (int i = 0; i < N_KEYS; i++)
        if (strcmp(CONFIG_KEYS[i].name, name) == 0) return i;
    return -1;
}

/* Stores text into key k; returns NULL or a static description of what is wrong. */
static const char *assign(SearchConfig *c, int k, const char *text) {
    const ConfigKey *key = &CONFIG_KEYS[k];
    char *field = (char *)c + key->offset, *end;
    if (key->type == KEY_STRING) {
        if (strlen(text) >= key->size) return "value too long";
        memcpy(field, text, strlen(text) + 1);
        return NULL;
    }
    if (!*text) return "missing value";
    errno = 0;
    double v = key->type == KEY_INT ? (double)strtol(text, &end, 10) : strtod(text, &end);
    if (*end || errno || !isfinite(v)) return key->type == KEY_INT ? "not an integer" : "not a number";
    if (v < key->lo || v > key->hi) return "out of range";
    if (key->type == KEY_INT) *(int *)field = (int)v;
    else *(double *)field = v;
    return NULL;
}

void config_init(ConfigState *s) {
    memset(&s->c, 0, sizeof s->c);
    s->only = NULL;
    s->source = sn_alloc(sizeof(ConfigSource) * N_KEYS);
    s->set_by = sn_alloc(sizeof(const char *) * N_KEYS);
    for (int k = 0; k < N_KEYS; k++) {
        const char *err = assign(&s->c, k, CONFIG_KEYS[k].def);
        SN_ASSERT(!err, "bad default of config key %s", CONFIG_KEYS[k].name);
        s->source[k] = CONFIG_FROM_DEFAULT, s->set_by[k] = NULL;
    }
}

void config_free(ConfigState *s) {
    sn_free(s->source), sn_free(s->set_by);
    s->source = NULL, s->set_by = NULL;
}

static void describe_range(const ConfigKey *key, char *buf, size_t n) {
    if (key->type == KEY_STRING) snprintf(buf, n, "text");
    else snprintf(buf, n, "%s in [%g, %g]", key->type == KEY_INT ? "integer" : "number", key->lo, key->hi);
}

/* Sets key `name` from its text; `where` names "file:line" or "--set" in messages; seen: keys given
 * so far by the file (NULL for --set, which may override anything). */
static void apply(ConfigState *s, const char *where, const char *name, const char *value, ConfigSource from, int *seen) {
    int k = find_key(name);
    if (k < 0) sn_die(SN_EXIT_USAGE, "%s: unknown key '%s'", where, name);
    if (!key_used(s, k)) sn_die(SN_EXIT_USAGE, "%s: key '%s' has no effect on this command", where, name);
    if (seen && seen[k]) sn_die(SN_EXIT_USAGE, "%s: key '%s' given twice", where, name);
    const char *err = assign(&s->c, k, value);
    if (err) {
        char range[96];
        describe_range(&CONFIG_KEYS[k], range, sizeof range);
        sn_die(SN_EXIT_USAGE, "%s: %s = '%s': %s (expected %s)", where, name, value, err, range);
    }
    if (seen) seen[k] = 1;
    s->source[k] = from;
}

typedef struct {
    ConfigState *s;
    int seen[N_KEYS];
} FileLoad;

static void apply_file_line(void *ctx, const KvWhere *w, char *key, char *value) {
    FileLoad *load = ctx;
    char where[1200];
    snprintf(where, sizeof where, "%s:%d", w->file, w->line);
    apply(load->s, where, key, value, CONFIG_FROM_FILE, load->seen);
}

void config_load_text(ConfigState *s, const char *text, const char *label) {
    FileLoad load = {.s = s};
    char *copy = sn_strdup(text);
    kv_parse_text(copy, label, KV_SECTIONS, apply_file_line, &load);
    sn_free(copy);
}

void config_load_file(ConfigState *s, const char *path) {
    FileLoad load = {.s = s};
    kv_parse_file(path, KV_SECTIONS, apply_file_line, &load);
}

/* Applies "key=value" from the command line, where a key may be given once: by --set or by `flag`. */
static void set_once(ConfigState *s, const char *flag, const char *assignment) {
    char *copy = sn_strdup(assignment), *key, *value;
    if (kv_split(copy, &key, &value) != 0) sn_die(SN_EXIT_USAGE, "%s %s: expected key=value", flag, copy);
    int k = find_key(key);
    if (k >= 0 && s->source[k] == CONFIG_FROM_SET)
        sn_die(SN_EXIT_USAGE, "%s %s=%s: key '%s' is already given on the command line (by %s)", flag, key, value, key,
               s->set_by[k] ? s->set_by[k] : "an earlier --set");
    apply(s, flag, key, value, CONFIG_FROM_SET, NULL);
    s->set_by[k] = strcmp(flag, "--set") ? flag : NULL;
    sn_free(copy);
}

void config_set(ConfigState *s, const char *assignment) { set_once(s, "--set", assignment); }

void config_set_flag(ConfigState *s, const char *flag, const char *assignment) { set_once(s, flag, assignment); }

void config_validate(const ConfigState *s) {
    const SearchConfig *c = &s->c;
    if (c->channels % 16) sn_die(SN_EXIT_USAGE, "config: channels = %d is not a multiple of 16", c->channels);
    if (c->tau_min > c->tau_max) sn_die(SN_EXIT_USAGE, "config: tau_min = %g is above tau_max = %g", c->tau_min, c->tau_max);
    if (c->eta_min > c->lr) sn_die(SN_EXIT_USAGE, "config: eta_min = %g is above lr = %g", c->eta_min, c->lr);
    if (c->nesterov && c->momentum <= 0) sn_die(SN_EXIT_USAGE, "config: nesterov = 1 needs momentum > 0");
    if (supernet_precision_is_bf16(c->precision) < 0)
        sn_die(SN_EXIT_USAGE, "config: precision = '%s': expected one of %s", c->precision, SUPERNET_PRECISIONS);
    const char *why = supernet_precision_unavailable(c->precision);
    if (why) sn_die(SN_EXIT_USAGE, "config: %s", why);
}

/* The shortest %g text that reads back as exactly v (resume reloads the saved text). */
static const char *shortest(double v) {
    static char buf[32];
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

static void write_value(const SearchConfig *c, int k, FILE *out) {
    const ConfigKey *key = &CONFIG_KEYS[k];
    const char *field = (const char *)c + key->offset;
    if (key->type == KEY_STRING) fputs(field, out);
    else if (key->type == KEY_INT) fprintf(out, "%d", *(const int *)field);
    else fprintf(out, "%s", shortest(*(const double *)field));
}

void config_write(const ConfigState *s, FILE *out, int annotate) {
    static const char *const marks[] = {"  # default", "", "  # command line"};
    for (int k = 0; k < N_KEYS; k++) {
        if (!key_used(s, k)) continue;
        fprintf(out, "%s%s = ", annotate ? "  " : "", CONFIG_KEYS[k].name);
        write_value(&s->c, k, out);
        fprintf(out, "%s\n", annotate ? marks[s->source[k]] : "");
    }
}

char *config_text(const ConfigState *s) {
    char *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    config_write(s, f, 0);
    fclose(f);
    return text;
}
