/*
 * config.h: the configuration of a weight-sharing search, read from an INI-like file
 * (configs/<method>.cfg) and typed into one struct.
 *
 * File syntax (kv_file.h, with sections): `key = value` lines; `#` starts a comment; blank lines and
 * `[section]` headers are allowed (sections only group keys for the reader, every key name is global). A key missing from
 * the file keeps its default from CONFIG_KEYS (config.c), and the effective configuration printed at
 * the start of a run says which keys were defaulted. An unknown key, a repeated key or a bad value is
 * a user error naming file:line (exit 2); `--set key=value` overrides a key after the file is read.
 *
 * To add a key: add a field to SearchConfig and one row to CONFIG_KEYS in config.c (type, default,
 * range, help). Every key appears in config.cfg, so a run directory reloads with --config.
 */
#ifndef SN_CONFIG_H
#define SN_CONFIG_H

#include <stdio.h>

typedef struct {
    char method[32];        /* darts-v1 | darts-v2 | gdas | ... (registry name) */
    char data[1024];        /* dataset folder; empty: the embedded CIFAR-10 subset */
    int seed;
    int epochs;             /* search epochs */
    int batch_size;         /* search loader batch (weight and arch batches each) */
    int valid_batch;        /* evaluation batch of the valid loader (test_batch_size) */
    int train_images;       /* use only the first n search-train images (0: all) */
    int valid_images;       /* use only the first n search-valid images (0: all) */
    double lr, eta_min;     /* cosine schedule of the weight SGD, set once per epoch */
    int t_max;              /* cosine period in epochs (0: = epochs) */
    double momentum, weight_decay;
    int nesterov;
    double grad_clip;       /* global-norm clip over the weights (0: off) */
    double arch_lr, arch_beta1, arch_beta2, arch_eps, arch_weight_decay; /* Adam on alpha */
    double tau_max, tau_min; /* GDAS temperature, linear over the epochs */
    int channels, cells;    /* C and N of the supernet */
    int track_running_stats; /* cell BNs keep running statistics (REFERENCE 12.1: 0) */
    int eval_bn_batch_stats; /* every BN uses batch statistics in evaluation (NATS-Bench; reference: 0) */
    int direct_conv;         /* no Winograd convolutions */
    char precision[8];       /* fp32 | bf16 (supernet.h: bf16 convolutions, fp32 everything else) */
    int valid_pass;         /* evaluate on the valid loader after each epoch (methods that have one) */
    int rank_every, rank_cells, rank_images; /* the supernet's ranking of sampled cells, logged every E epochs */
    int loader_threads;     /* threads that fill one batch (results do not depend on it) */
    int sync_bn;            /* under mpirun: BN statistics of the whole global batch (ignored in one process) */
    int select_num;         /* RSPS, SETN, ENAS: candidates scored after each epoch */
    int final_select_num;   /* the same after the last epoch (ENAS: 100 against 10) */
    int select_common;      /* 1: every selection uses the same random numbers (selection.h) */
    /* ENAS controller (REFERENCE 6.6) */
    double controller_lr, controller_beta1, controller_beta2, controller_eps;
    double controller_entropy_weight, controller_bl_dec, controller_grad_clip;
    double controller_temperature, controller_tanh_constant;
    int controller_train_steps, controller_num_aggregate;
    int controller_canonical_baseline; /* 0: the reference's baseline (REFERENCE 6.6 quirks), 1: canonical */
} SearchConfig;

/* Where each key's value came from, for the announcement of defaults. */
typedef enum { CONFIG_FROM_DEFAULT, CONFIG_FROM_FILE, CONFIG_FROM_SET } ConfigSource;

typedef struct {
    SearchConfig c;
    ConfigSource *source; /* per key of CONFIG_KEYS */
    const char **set_by;  /* per key: the flag that set it (config_set_flag), else NULL */
    /* NULL: every key; else the keys a command reads (NULL-terminated, e.g. `supernet train`'s): only
     * they are accepted from files and --set, and written */
    const char *const *only;
} ConfigState;

/* All keys at their defaults. */
void config_init(ConfigState *s);
void config_free(ConfigState *s);
/* Reads a file over the current values; errors name path:line, exit 2. */
void config_load_file(ConfigState *s, const char *path);
/* Parses text as if it were the file `label` (used for the copy saved in a checkpoint). */
void config_load_text(ConfigState *s, const char *text, const char *label);
/* Applies one "key=value" override; errors name "--set", exit 2, a key given twice on the command
 * line (by --set, or by a flag and --set) included. */
void config_set(ConfigState *s, const char *assignment);
/* The same for a flag of the command that sets a key ("--seed", "seed=3"); errors name the flag. */
void config_set_flag(ConfigState *s, const char *flag, const char *assignment);
/* Checks relations between keys (e.g. tau_min <= tau_max); exit 2 naming the keys. */
void config_validate(const ConfigState *s);
/* Every key as `key = value` lines (re-loadable); with annotate, a `# default` / `# --set` mark. */
void config_write(const ConfigState *s, FILE *out, int annotate);
/* The same as a malloc'd string (free with free()). */
char *config_text(const ConfigState *s);

#endif
