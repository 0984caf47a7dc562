/*
 * train_run.c: one `supernet train` run (see train.h): the recipe and the cell resolved, the data of the
 * dataset setting, the one-cell network, the epoch loop (LR set once per epoch; every batch a forward,
 * backward and Nesterov SGD step; every evaluation set in evaluation mode), records, chart, checkpoint,
 * exact resume and the comparison with the table.
 */
#define _POSIX_C_SOURCE 200809L
#include "train/train.h"

#include <blis.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "common.h"
#include "loader.h"
#include "optim.h"
#include "run/checkpoint.h"
#include "run/config.h"
#include "run/json_fields.h"
#include "run/locate.h"
#include "run/run_dir.h"
#include "run/table_path.h"
#include "splits.h"
#include "strategies/strategy.h" /* STREAM_TRAIN_LOADER */
#include "supernet.h"
#include "train/train_records.h"
#include "whole_file.h"
#include "run/run_folder.h"

#define CKPT_FORMAT "supernet-train 1"

/* The configuration keys training reads (config.h); the recipe files set the first group. */
static const char *const TRAIN_KEYS[] = {
    "epochs", "batch_size", "valid_batch", "lr", "eta_min", "t_max", "momentum", "weight_decay", "nesterov",
    "grad_clip", "data", "seed", "train_images", "valid_images", "channels", "cells", "direct_conv", "precision",
    "loader_threads", NULL};

typedef struct {
    ConfigState config;
    char recipe[32];
    int recipe_intact; /* the recipe's training as the benchmark ran it: its table values compare */
    const TrainSetting *setting;
    Arch arch;
    int index;
    Dataset *data;
    Subset train_set, eval[TRAIN_N_EVALS];
    Table *table;
    Supernet *net;
    Loader *train, *evals[TRAIN_N_EVALS];
    float *momentum;
    uint64_t sgd_steps;
    char dir[4096];
    int start_epoch;
    double seconds;
    int quiet, progress;
} TrainRun;

/* ---------------------------------------------------------------------------------------------
 * Configuration: the recipe file, then the flags */

static void recipe_path(const char *recipe, char *out, size_t n) {
    LocatePlaces places;
    const char *configs = locate_project_file("configs", &places);
    snprintf(out, n, "%s/train/%s.cfg", configs ? configs : places.path[places.n - 1], recipe);
}

static void load_recipe(ConfigState *s, const char *recipe) {
    char path[4400];
    config_init(s);
    s->only = TRAIN_KEYS;
    recipe_path(recipe, path, sizeof path);
    config_load_file(s, path);
}

/* Whether c trains as the recipe file says: the table's numbers for the recipe then apply. */
static int trains_as_recipe(const SearchConfig *c, const char *recipe) {
    ConfigState file;
    load_recipe(&file, recipe);
    const SearchConfig *r = &file.c;
    int same = c->epochs == r->epochs && c->batch_size == r->batch_size && c->lr == r->lr && c->eta_min == r->eta_min &&
               c->t_max == r->t_max && c->momentum == r->momentum && c->weight_decay == r->weight_decay &&
               c->nesterov == r->nesterov && c->grad_clip == r->grad_clip && c->channels == r->channels &&
               c->cells == r->cells && c->train_images == 0;
    config_free(&file);
    return same;
}

static void set_int(ConfigState *s, const char *flag, const char *key, int v) {
    char buf[96];
    snprintf(buf, sizeof buf, "%s=%d", key, v);
    config_set_flag(s, flag, buf);
}

static void resolve_config(TrainRun *r, const TrainArgs *a, const char *data) {
    snprintf(r->recipe, sizeof r->recipe, "%s", a->recipe);
    load_recipe(&r->config, a->recipe);
    if (data) {
        char buf[1200];
        snprintf(buf, sizeof buf, "data=%s", data);
        config_set_flag(&r->config, "--data", buf);
    }
    if (a->seed >= 0) set_int(&r->config, "--seed", "seed", a->seed);
    if (a->epochs >= 0) set_int(&r->config, "--epochs", "epochs", a->epochs);
    if (a->batch >= 0) set_int(&r->config, "--batch", "batch_size", a->batch);
    for (int i = 0; i < a->n_sets; i++) config_set(&r->config, a->sets[i]);
    config_validate(&r->config);
    r->recipe_intact = trains_as_recipe(&r->config.c, r->recipe);
}

/* --from: the chosen cell of a finished search run (its summary.json) and the folder it searched on. */
static void read_search_run(const char *dir, Arch *arch, char *data, size_t data_len) {
    char path[4200], why[256], err[256];
    size_t len;
    snprintf(path, sizeof path, "%s/" RUN_SUMMARY_FILE, dir);
    char *text = read_whole_file(path, 1 << 20, &len, why, sizeof why);
    if (!text) sn_die(SN_EXIT_USAGE, "--from %s: %s: %s (is it a finished search run?)", dir, path, why);
    char cell[ARCH_STR_MAX + 1];
    int found = json_field_text(text, "arch", cell, sizeof cell) == 0;
    if (!found || arch_parse(cell, arch, err, sizeof err) != 0)
        sn_die(SN_EXIT_USAGE, "%s: no valid \"arch\" cell (%s)", path, found ? err : "key missing");
    free(text);
    ConfigState search;
    config_init(&search);
    snprintf(path, sizeof path, "%s/" RUN_CONFIG_FILE, dir);
    config_load_file(&search, path);
    snprintf(data, data_len, "%s", search.c.data);
    config_free(&search);
}

/* ---------------------------------------------------------------------------------------------
 * Data and engine */

static void open_data(TrainRun *r, const char *setting_name) {
    const SearchConfig *c = &r->config.c;
    int embedded = !c->data[0];
    r->data = embedded ? dataset_open_default() : dataset_open(c->data, NULL, DATASET_SPLIT_SEED);
    DatasetKind kind = r->data->spec->kind;
    r->setting = setting_name ? train_setting_find(setting_name) : train_setting_default(kind, embedded);
    if (!r->setting) sn_die(SN_EXIT_USAGE, "--dataset %s: unknown (one of " TRAIN_SETTING_NAMES ")", setting_name);
    if (r->setting->kind != kind || r->setting->embedded != embedded)
        sn_die(SN_EXIT_USAGE, "--dataset %s needs %s, but the data is %s (%s)", r->setting->name,
               r->setting->embedded ? "the embedded subset (no --data)" : "a folder of its dataset (--data)",
               r->data->spec->name, r->data->source);
    train_setting_subsets(r->setting, r->data, &r->train_set, r->eval);
    if (c->train_images > r->train_set.n)
        sn_die(SN_EXIT_USAGE, "config: train_images = %d, but the training set of %s has %d images", c->train_images,
               r->setting->name, r->train_set.n);
    if (c->train_images) r->train_set.n = c->train_images;
    for (int k = 0; k < TRAIN_N_EVALS; k++)
        if (c->valid_images && c->valid_images < r->eval[k].n) r->eval[k].n = c->valid_images;
}

static void build_engine(TrainRun *r) {
    const SearchConfig *c = &r->config.c;
    const DatasetSpec *spec = r->data->spec;
    SupernetConfig nc = {.channels = c->channels, .cells = c->cells, .classes = spec->n_classes,
                         .in_channels = spec->channels, .image_size = spec->height, .max_batch = c->batch_size,
                         .max_eval_batch = c->valid_batch, .seed = (uint64_t)c->seed, .direct_conv = c->direct_conv,
                         .bf16 = supernet_precision_is_bf16(c->precision) == 1, .single_cell = 1, .cell = r->arch};
    r->net = supernet_create(&nc);
    r->momentum = sn_alloc(supernet_weights_floats(r->net) * sizeof(float));
    LoaderConfig lc = {.mode = LOADER_TRAIN, .items = &r->train_set, .batch = c->batch_size, .shuffle = 1,
                       .seed = rng_stream_seed((uint64_t)c->seed, STREAM_TRAIN_LOADER), .threads = c->loader_threads,
                       .prefetch = 1};
    r->train = loader_create(r->data, &lc);
    for (int k = 0; k < TRAIN_N_EVALS; k++) {
        if (!r->eval[k].n) continue;
        LoaderConfig ec = {.mode = LOADER_EVAL, .items = &r->eval[k], .batch = c->valid_batch,
                           .threads = c->loader_threads, .prefetch = 1};
        r->evals[k] = loader_create(r->data, &ec);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Checkpoints */

static void file_in_run(char *out, size_t n, const TrainRun *r, const char *name) { snprintf(out, n, "%s/%s", r->dir, name); }

static void save_checkpoint(TrainRun *r, int epochs_done) {
    CkptWriter *w = ckpt_writer_new();
    char *config = config_text(&r->config), path[4200], arch[ARCH_STR_MAX];
    int le, ls;
    loader_tell(r->train, &le, &ls);
    const uint64_t progress[5] = {(uint64_t)epochs_done, (uint64_t)le, (uint64_t)ls, r->sgd_steps, (uint64_t)r->recipe_intact};
    arch_format(&r->arch, arch);
    ckpt_put_text(w, "format", CKPT_FORMAT);
    ckpt_put_text(w, "config", config);
    ckpt_put_text(w, "recipe", r->recipe);
    ckpt_put_text(w, "setting", r->setting->name);
    ckpt_put_text(w, "arch", arch);
    ckpt_put_u64(w, "progress", 5, progress);
    ckpt_put_f64(w, "seconds", 1, &r->seconds);
    ckpt_put_supernet(w, r->net, "net", NULL);
    ckpt_put_supernet(w, r->net, "sgd_momentum", r->momentum);
    file_in_run(path, sizeof path, r, RUN_CHECKPOINT_FILE);
    ckpt_writer_commit(w, path);
    free(config);
}

static void load_state(TrainRun *r, const Checkpoint *ck) {
    uint64_t progress[5];
    ckpt_get_u64(ck, "progress", 5, progress);
    ckpt_get_f64(ck, "seconds", 1, &r->seconds);
    ckpt_get_supernet(ck, r->net, "net", NULL);
    ckpt_get_supernet(ck, r->net, "sgd_momentum", r->momentum);
    r->start_epoch = (int)progress[0];
    r->sgd_steps = progress[3];
    r->recipe_intact = (int)progress[4];
    loader_seek(r->train, (int)progress[1], (int)progress[2]);
}

/* ---------------------------------------------------------------------------------------------
 * Start or resume */

/* The table's network (TableNet) for a dataset's images, or -1 for a dataset the table does not cover. */
static int table_net(const DatasetSpec *spec) {
    switch (spec->kind) {
    case DATASET_CIFAR10: return NET_10;
    case DATASET_CIFAR100: return NET_100;
    case DATASET_IMAGENET16_120: return NET_120;
    default: return -1;
    }
}

static void announce(const TrainRun *r, const char *what) {
    if (r->quiet) return;
    char arch[ARCH_STR_MAX];
    arch_format(&r->arch, arch);
    printf("%s %s (benchmark index %d), recipe %s%s\n  data: %s (%s), setting %s\n  %s\n  train %d images", what, arch,
           r->index, r->recipe, r->recipe_intact ? "" : " (changed: its table values do not apply)",
           r->data->spec->name, r->data->source, r->setting->name, r->data->split_note, r->train_set.n);
    for (int k = 0; k < TRAIN_N_EVALS; k++)
        if (r->eval[k].n) printf(", %s %d images", TRAIN_EVAL_NAMES[k], r->eval[k].n);
    printf("\n  network: %zu parameters", supernet_num_weights(r->net));
    int net = table_net(r->data->spec);
    if (net >= 0) printf(" (the table's for this cell: %.6f M)", table_arch(r->table, r->index)->params_m[net]);
    printf("\n  run directory: %s\nconfiguration:\n", r->dir);
    config_write(&r->config, stdout, 1);
    fflush(stdout);
}

static void default_run_name(const TrainRun *r, const char *logs, char *out, size_t n) {
    char stem[256], digits[ARCH_N_EDGES + 1];
    arch_code_digits(arch_to_code(&r->arch), digits);
    snprintf(stem, sizeof stem, "train-%s-%s-%s-s%d", digits, r->setting->name, r->recipe, r->config.c.seed);
    run_folder_default_name(logs, stem, out, n);
}

static void start_run(TrainRun *r, const TrainArgs *a) {
    char search_data[1024] = "";
    if (a->from) read_search_run(a->from, &r->arch, search_data, sizeof search_data);
    else r->arch = arch_from_code(a->code);
    r->index = table_index_of_code(r->table, arch_to_code(&r->arch));
    resolve_config(r, a, a->data ? a->data : a->from ? search_data : NULL);
    open_data(r, a->setting);
    char name[512], path[4200];
    static const char *const RUN_FILES[] = {RUN_CONFIG_FILE, RUN_EPOCHS_CSV, RUN_EPOCHS_JSONL, "curve.png", NULL};
    run_folder_check_names(a->logs_dir, a->run_name);
    if (a->run_name) snprintf(name, sizeof name, "%s", a->run_name);
    else default_run_name(r, a->logs_dir, name, sizeof name);
    snprintf(r->dir, sizeof r->dir, "%s/%s", a->logs_dir, name);
    run_folder_claim(r->dir, RUN_FILES);
    build_engine(r);
    make_directories(r->dir);
    char *text = config_text(&r->config);
    file_in_run(path, sizeof path, r, RUN_CONFIG_FILE), atomic_write_file(path, text, strlen(text));
    free(text);
    train_records_create(r->dir);
    announce(r, "training");
}

static void check_resume_args(const TrainArgs *a) {
    if (a->code >= 0 || a->from || a->data || a->setting || a->n_sets || a->epochs >= 0 || a->batch >= 0 ||
        a->seed >= 0 || a->run_name)
        sn_die(SN_EXIT_USAGE, "supernet train: --resume continues with the saved settings; drop --arch/--from/--data/"
                              "--dataset/--set/--epochs/--batch/--seed/--run");
}

static void resume_run(TrainRun *r, const TrainArgs *a) {
    snprintf(r->dir, sizeof r->dir, "%s", a->resume);
    char path[4200], err[256];
    file_in_run(path, sizeof path, r, RUN_CHECKPOINT_FILE);
    if (access(path, F_OK) != 0) run_folder_no_checkpoint(r->dir, path, strerror(errno));
    Checkpoint *ck = ckpt_read(path);
    const char *format = ckpt_get_text(ck, "format");
    if (strcmp(format, CKPT_FORMAT) != 0) sn_die(SN_EXIT_USAGE, "%s: not a training checkpoint ('%s')", path, format);
    run_folder_check_resume(r->dir, path, ckpt_get_text(ck, "config"), TRAIN_KEYS);
    if (arch_parse(ckpt_get_text(ck, "arch"), &r->arch, err, sizeof err) != 0)
        sn_die(SN_EXIT_USAGE, "%s: entry arch: %s", path, err);
    r->index = table_index_of_code(r->table, arch_to_code(&r->arch));
    snprintf(r->recipe, sizeof r->recipe, "%s", ckpt_get_text(ck, "recipe"));
    config_init(&r->config);
    r->config.only = TRAIN_KEYS;
    config_load_text(&r->config, ckpt_get_text(ck, "config"), path);
    config_validate(&r->config);
    open_data(r, ckpt_get_text(ck, "setting"));
    build_engine(r);
    load_state(r, ck);
    ckpt_free(ck);
    train_records_truncate(r->dir, r->start_epoch);
    announce(r, "resuming");
    if (!r->quiet) printf("continuing at epoch %d of %d\n", r->start_epoch, r->config.c.epochs);
}

/* ---------------------------------------------------------------------------------------------
 * The epoch loop */

static NetSelection own_cell(const TrainRun *r) { return (NetSelection){&r->arch, NULL}; }

static void progress_line(const TrainRun *r, int epoch, int step, int steps, double loss, int correct, int images, double t0) {
    double elapsed = sn_now() - t0;
    fprintf(stderr, "\r\033[K epoch %d/%d  step %d/%d  loss %.4f  acc %.2f%%  %.0f img/s", epoch + 1, r->config.c.epochs,
            step, steps, loss / images, 100.0 * correct / images, images / (elapsed > 1e-9 ? elapsed : 1e-9));
}

static void train_epoch(TrainRun *r, int epoch, TrainRecord *rec) {
    const SearchConfig *c = &r->config.c;
    SgdConfig sgd = {.lr = cosine_lr(c->lr, c->eta_min, epoch, c->epochs, c->t_max ? c->t_max : c->epochs),
                     .momentum = c->momentum, .weight_decay = c->weight_decay, .nesterov = c->nesterov};
    size_t n = supernet_weights_floats(r->net);
    double loss_sum = 0, t0 = sn_now(), last_print = 0;
    int correct_sum = 0, images = 0;
    for (int s = 0, steps = loader_steps(r->train); s < steps; s++) {
        const Batch *b = loader_next(r->train);
        int correct;
        loss_sum += supernet_forward(r->net, b->x, b->y, b->n, own_cell(r), &correct) * b->n;
        supernet_backward(r->net, NULL);
        float *grads = supernet_grads(r->net);
        if (c->grad_clip > 0) clip_grad_norm(&grads, &n, 1, c->grad_clip);
        sgd_step(supernet_weights(r->net), r->momentum, grads, n, sgd, (int)++r->sgd_steps);
        correct_sum += correct, images += b->n;
        if (r->progress && (sn_now() - last_print > 0.5 || s + 1 == steps)) {
            progress_line(r, epoch, s + 1, steps, loss_sum, correct_sum, images, t0);
            last_print = sn_now();
        }
    }
    if (r->progress) fprintf(stderr, "\r\033[K");
    *rec = (TrainRecord){.epoch = epoch, .lr = sgd.lr, .train_loss = loss_sum / images, .train_acc = 100.0 * correct_sum / images};
}

/* Mean loss and top-1 accuracy of the network over evaluation set k, in evaluation mode. */
static void evaluate(TrainRun *r, int k, double *loss, double *acc) {
    *loss = *acc = NAN;
    if (!r->evals[k]) return;
    double loss_sum = 0;
    int correct_sum = 0, images = 0;
    for (int s = 0, steps = loader_steps(r->evals[k]); s < steps; s++) {
        const Batch *b = loader_next(r->evals[k]);
        int correct;
        loss_sum += supernet_evaluate(r->net, b->x, b->y, b->n, own_cell(r), &correct, NULL) * b->n;
        correct_sum += correct, images += b->n;
    }
    *loss = loss_sum / images, *acc = 100.0 * correct_sum / images;
}

/* The table's accuracy for this cell, recipe and evaluation k, or NaN (no column, or a changed recipe). */
static double table_accuracy(const TrainRun *r, int k) {
    int col = train_setting_column(r->setting, k);
    if (col < 0 || !r->recipe_intact) return NAN;
    return train_table_accuracy(table_arch(r->table, r->index), r->recipe, col);
}

/* The evaluation the chart and summary compare with the table first: valid when it has a column. */
static int compared_eval(const TrainRun *r) { return isnan(table_accuracy(r, TRAIN_EVAL_VALID)) ? TRAIN_EVAL_TEST : TRAIN_EVAL_VALID; }

static void refresh_curve(const TrainRun *r) {
    TrainRecord *recs;
    int n;
    char err[512], title[256], label[96], digits[ARCH_N_EDGES + 1];
    if (train_records_read(r->dir, &recs, &n, err, sizeof err) != 0) {
        fprintf(stderr, "warning: %s\n", err);
        return;
    }
    int k = compared_eval(r);
    arch_code_digits(arch_to_code(&r->arch), digits);
    snprintf(title, sizeof title, "cell %d (%s), %s, %s", r->index, digits, r->setting->name, r->recipe);
    snprintf(label, sizeof label, "the table's %s accuracy (%s)", TRAIN_EVAL_NAMES[k], r->recipe);
    train_curve_draw(r->dir, recs, n, title, table_accuracy(r, k), label);
    free(recs);
}

static void print_epoch(const TrainRun *r, const TrainRecord *rec, double seconds) {
    if (r->quiet) return;
    printf("epoch %3d/%d  %6.1fs  lr %.5f  train %.4f/%.2f%%", rec->epoch + 1, r->config.c.epochs, seconds, rec->lr,
           rec->train_loss, rec->train_acc);
    for (int k = 0; k < TRAIN_N_EVALS; k++)
        if (!isnan(rec->acc[k])) printf("  %s %.4f/%.2f%%", TRAIN_EVAL_NAMES[k], rec->loss[k], rec->acc[k]);
    printf("\n");
    fflush(stdout);
}

/* ---------------------------------------------------------------------------------------------
 * Summary */

static void write_summary(const TrainRun *r, const TrainRecord *last) {
    char arch[ARCH_STR_MAX], digits[ARCH_N_EDGES + 1], path[4200], *text;
    size_t len;
    arch_format(&r->arch, arch);
    arch_code_digits(arch_to_code(&r->arch), digits);
    FILE *f = open_memstream(&text, &len);
    fprintf(f, "{\"arch\": \"%s\", \"index\": %d, \"code\": \"%s\", \"recipe\": \"%s\", \"recipe_intact\": %s, "
               "\"setting\": \"%s\", \"seed\": %d, \"epochs\": %d, \"seconds\": %.3f, \"params\": %zu, "
               "\"train_loss\": %.6g, \"train_acc\": %.6g",
            arch, r->index, digits, r->recipe, r->recipe_intact ? "true" : "false", r->setting->name, r->config.c.seed,
            r->config.c.epochs, r->seconds, supernet_num_weights(r->net), last->train_loss, last->train_acc);
    for (int k = 0; k < TRAIN_N_EVALS; k++) {
        double t = table_accuracy(r, k);
        const char *e = TRAIN_EVAL_NAMES[k];
        if (isnan(last->acc[k])) fprintf(f, ", \"%s_acc\": null", e);
        else fprintf(f, ", \"%s_acc\": %.6g, \"%s_loss\": %.6g", e, last->acc[k], e, last->loss[k]);
        if (isnan(t)) fprintf(f, ", \"table_%s_acc\": null", e);
        else fprintf(f, ", \"table_%s_acc\": %.6g", e, t);
    }
    fprintf(f, "}\n");
    fclose(f);
    file_in_run(path, sizeof path, r, RUN_SUMMARY_FILE), atomic_write_file(path, text, len);
    free(text);
}

static void print_summary(const TrainRun *r, const TrainRecord *last) {
    char arch[ARCH_STR_MAX];
    arch_format(&r->arch, arch);
    printf("\ncell %s (index %d), %s, recipe %s, seed %d: %d epochs, %.1f s\n", arch, r->index, r->setting->name,
           r->recipe, r->config.c.seed, r->config.c.epochs, r->seconds);
    printf("%-8s %10s %10s %12s\n", "", "this run", "the table", "difference");
    for (int k = 0; k < TRAIN_N_EVALS; k++) {
        if (isnan(last->acc[k])) continue;
        double t = table_accuracy(r, k);
        printf("%-8s %9.2f%%", TRAIN_EVAL_NAMES[k], last->acc[k]);
        if (isnan(t)) printf(" %10s\n", train_setting_column(r->setting, k) < 0 ? "(none)" : "(recipe changed)");
        else printf(" %9.2f%% %+11.2f\n", t, last->acc[k] - t);
    }
    printf("records: %s/" RUN_EPOCHS_CSV ", %s/curve.png\n", r->dir, r->dir);
}

static void free_run(TrainRun *r) {
    for (int k = 0; k < TRAIN_N_EVALS; k++)
        if (r->evals[k]) loader_free(r->evals[k]);
    if (r->train) loader_free(r->train);
    sn_free(r->momentum);
    supernet_free(r->net);
    if (r->setting && r->setting->train_all) subset_free(&r->train_set);
    dataset_free(r->data);
    table_free(r->table);
    config_free(&r->config);
}

/* The last record, from epochs.csv (a resumed run that had finished its epochs). */
static TrainRecord last_record(const TrainRun *r) {
    TrainRecord *recs, last;
    int n;
    char err[512];
    if (train_records_read(r->dir, &recs, &n, err, sizeof err) != 0) sn_die(SN_EXIT_USAGE, "%s", err);
    if (n == 0) sn_die(SN_EXIT_USAGE, "%s/" RUN_EPOCHS_CSV ": no records", r->dir);
    last = recs[n - 1];
    free(recs);
    return last;
}

int train_cell(const TrainArgs *a) {
    char path[4200];
    if (a->resume) check_resume_args(a);
    snprintf(path, sizeof path, "%s/" RUN_SUMMARY_FILE, a->resume ? a->resume : "");
    if (a->resume && access(path, F_OK) == 0) { /* summary.json is written last: nothing to build or load */
        printf("%s: the run has already finished; nothing to do\n", a->resume);
        return 0;
    }
    TrainRun r;
    memset(&r, 0, sizeof r);
    omp_set_num_threads(a->threads);
    bli_thread_set_num_threads(a->threads);
    r.quiet = a->quiet;
    r.table = table_open(a->table);
    if (a->resume) resume_run(&r, a);
    else start_run(&r, a);
    r.progress = !a->quiet && isatty(STDERR_FILENO);
    for (int e = r.start_epoch; e < r.config.c.epochs; e++) {
        double t0 = sn_now();
        TrainRecord rec;
        train_epoch(&r, e, &rec);
        for (int k = 0; k < TRAIN_N_EVALS; k++) evaluate(&r, k, &rec.loss[k], &rec.acc[k]);
        r.seconds += sn_now() - t0;
        rec.seconds = r.seconds;
        train_records_append(r.dir, &rec);
        save_checkpoint(&r, e + 1);
        refresh_curve(&r);
        print_epoch(&r, &rec, sn_now() - t0);
    }
    TrainRecord last = last_record(&r);
    write_summary(&r, &last);
    print_summary(&r, &last);
    free_run(&r);
    return 0;
}

int train_cells(const TrainArgs *a, const int *codes, int n) {
    Table *t = table_open(a->table);
    for (int i = 0; i < n; i++) {
        char name[64], dir[4200], path[4400];
        snprintf(name, sizeof name, "cell-%d", table_index_of_code(t, codes[i]));
        snprintf(dir, sizeof dir, "%s/%s", a->logs_dir, name);
        TrainArgs one = *a;
        one.code = codes[i], one.run_name = name;
        snprintf(path, sizeof path, "%s/" RUN_SUMMARY_FILE, dir);
        if (access(path, F_OK) == 0) {
            printf("%s: finished\n", dir);
            continue;
        }
        snprintf(path, sizeof path, "%s/" RUN_CHECKPOINT_FILE, dir);
        if (access(path, F_OK) == 0)
            one = (TrainArgs){.code = -1, .resume = dir, .epochs = -1, .batch = -1, .seed = -1, .threads = a->threads,
                              .logs_dir = a->logs_dir, .table = a->table, .quiet = a->quiet};
        int status = train_cell(&one);
        if (status != 0) return table_free(t), status;
    }
    table_free(t);
    return 0;
}
