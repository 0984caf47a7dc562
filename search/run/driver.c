/*
 * driver.c: the weight-sharing search driver (see driver.h): the run's setup, its epoch loop and
 * its checkpoints. One epoch: LR (cosine, once per epoch), strategy epoch_begin, every batch of the
 * strategy's loader through its step, epoch_end, derive, table lookup, one record, one checkpoint.
 */
#define _POSIX_C_SOURCE 200809L
#include "run/driver.h"

#include <blis.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "common.h"
#include "dist/dist.h"
#include "methods.h"
#include "run/decision.h"
#include "run/epochs_csv.h"
#include "optim.h"
#include "plot/plot.h"
#include "rank/rank.h"
#include "run/run_log.h"
#include "strategies/darts.h" /* supernet_running_stats_* */
#include "strategies/strategy.h"
#include "run/locate.h"
#include "run/run_dir.h"
#include "run/run_folder.h"
#include "run/table_path.h"


typedef struct {
    ConfigState config;
    const Method *method;
    Strategy strategy;
    Dataset *data;
    Subset train_items, valid_items;
    Table *table;
    Supernet *net;
    Loader *search, *valid;
    SearchContext ctx;
    char dir[4096], dataset_name[64];
    int start_epoch;
    double seconds;
    int quiet, progress;
    int root; /* rank 0: the one rank that writes the run folder and prints (dist.h) */
    RankProbe *probe; /* rank_every, or NULL */
} Run;

/* ---------------------------------------------------------------------------------------------
 * Configuration */

/* The configs/ folder: beside the executable's folder, in it, else the source tree's. */
static const char *configs_dir(LocatePlaces *places) {
    const char *found = locate_project_file("configs", places);
    return found ? found : places->path[places->n - 1];
}

static void resolve_config(const DriverArgs *a, ConfigState *s) {
    config_init(s);
    char path[4400], buf[1200];
    const char *file = a->config_path;
    if (!file) {
        if (!a->method) sn_die(SN_EXIT_USAGE, "supernet search: --method or --config is required");
        char name[256];
        LocatePlaces places;
        method_config_name(a->method, a->data ? NULL : "quick", name, sizeof name);
        snprintf(path, sizeof path, "%s/%s", configs_dir(&places), name);
        file = path;
    }
    config_load_file(s, file);
    if (a->method) snprintf(buf, sizeof buf, "method=%s", a->method), config_set_flag(s, "--method", buf);
    if (a->seed >= 0) snprintf(buf, sizeof buf, "seed=%d", a->seed), config_set_flag(s, "--seed", buf);
    if (a->data) snprintf(buf, sizeof buf, "data=%s", a->data), config_set_flag(s, "--data", buf);
    for (int i = 0; i < a->n_sets; i++) config_set(s, a->sets[i]);
    config_validate(s);
}

/* ---------------------------------------------------------------------------------------------
 * Setup */

static void file_in_run(char *out, size_t n, const Run *r, const char *name) { snprintf(out, n, "%s/%s", r->dir, name); }

Dataset *search_open_data(const SearchConfig *c, Subset *train, Subset *valid) {
    Dataset *d = c->data[0] ? dataset_open(c->data, NULL, DATASET_SPLIT_SEED) : dataset_open_default();
    *train = d->search_train, *valid = d->search_valid;
    /* config.cfg records the size asked for: a subset the split cannot give would mislabel the run */
    if (c->train_images > train->n || c->valid_images > valid->n)
        sn_die(SN_EXIT_USAGE, "config: %s = %d, but the search-%s split of %s has %d images", c->train_images > train->n
               ? "train_images" : "valid_images", c->train_images > train->n ? c->train_images : c->valid_images,
               c->train_images > train->n ? "train" : "valid", d->source, c->train_images > train->n ? train->n : valid->n);
    if (c->train_images) train->n = c->train_images;
    if (c->valid_images) valid->n = c->valid_images;
    return d;
}

static void open_data(Run *r) {
    const SearchConfig *c = &r->config.c;
    r->data = search_open_data(c, &r->train_items, &r->valid_items);
    snprintf(r->dataset_name, sizeof r->dataset_name, "%s%s", r->data->spec->name, c->data[0] ? "" : "-embedded");
}

/* Before anything is written: every batch must split into equal shares over the ranks. */
static void check_shares(const Run *r) {
    search_check_shares("batch_size", r->config.c.batch_size, r->train_items.n);
    if (r->method->strategy->needs_valid_loader) search_check_shares("valid_batch", r->config.c.valid_batch, r->valid_items.n);
}

SupernetConfig search_supernet_config(const SearchConfig *c, const DatasetSpec *spec, int max_batch,
                                      int max_eval_batch, int darts) {
    return (SupernetConfig){.channels = c->channels, .cells = c->cells, .classes = spec->n_classes,
                            .in_channels = spec->channels, .image_size = spec->height, .max_batch = max_batch,
                            .max_eval_batch = max_eval_batch, .darts = darts, .track_running_stats = c->track_running_stats,
                            .seed = (uint64_t)c->seed, .direct_conv = c->direct_conv,
                            .bf16 = supernet_precision_is_bf16(c->precision) == 1};
}

static void build_engine(Run *r) {
    const SearchConfig *c = &r->config.c;
    const StrategyIface *iface = r->method->strategy;
    int ranks = dist_size();
    int eval_batch = iface->needs_valid_loader ? c->valid_batch / ranks : 1;
    if (c->rank_every && rank_eval_batch(c, c->rank_images) > eval_batch) eval_batch = rank_eval_batch(c, c->rank_images);
    SupernetConfig nc = search_supernet_config(c, r->data->spec, c->batch_size / ranks, eval_batch, iface->needs_darts);
    r->net = supernet_create(&nc);
    supernet_set_eval_batch_stats(r->net, c->eval_bn_batch_stats);
    if (ranks > 1 && c->sync_bn) supernet_set_bn_sum(r->net, dist_sum_f64);
    LoaderConfig lc = {.mode = iface->loader, .items = &r->train_items, .partners = &r->valid_items,
                       .batch = c->batch_size, .shuffle = 1,
                       .seed = rng_stream_seed((uint64_t)c->seed, STREAM_SEARCH_LOADER), .threads = c->loader_threads,
                       .prefetch = 1, .share = dist_rank(), .shares = ranks};
    r->search = loader_create(r->data, &lc);
    if (iface->needs_valid_loader) {
        LoaderConfig vc = {.mode = LOADER_EVAL, .items = &r->valid_items, .batch = c->valid_batch, .shuffle = 1,
                           .seed = rng_stream_seed((uint64_t)c->seed, STREAM_VALID_LOADER), .threads = c->loader_threads,
                           .prefetch = 1, .share = dist_rank(), .shares = ranks};
        r->valid = loader_create(r->data, &vc);
    }
    r->ctx = (SearchContext){.cfg = c, .net = r->net, .data = r->data, .valid = r->valid};
    r->ctx.momentum = sn_alloc(supernet_weights_floats(r->net) * sizeof(float));
    r->strategy = (Strategy){iface, iface->create(c, &r->ctx)};
    if (c->rank_every) r->probe = rank_probe_create(c, r->net, r->data, &r->valid_items, r->table);
}

/* ---------------------------------------------------------------------------------------------
 * Checkpoints */

/* Every rank builds the checkpoint; identical bytes on all ranks are the proof that no rank has
 * diverged (weights, optimizer moments, architecture state, RNG streams), and rank 0 writes it. */
static void save_checkpoint(Run *r, int epochs_done) {
    CkptWriter *w = ckpt_writer_new();
    char *config = config_text(&r->config), path[4200];
    int le, ls;
    loader_tell(r->search, &le, &ls);
    const uint64_t progress[4] = {(uint64_t)epochs_done, (uint64_t)le, (uint64_t)ls, r->ctx.sgd_steps};
    const uint64_t ranks = (uint64_t)dist_size();
    ckpt_put_text(w, "format", RUN_SEARCH_CKPT_FORMAT);
    ckpt_put_text(w, "config", config);
    ckpt_put_u64(w, "progress", 4, progress);
    ckpt_put_u64(w, "ranks", 1, &ranks);
    ckpt_put_f64(w, "seconds", 1, &r->seconds);
    ckpt_put_supernet(w, r->net, "net", NULL);
    ckpt_put_supernet(w, r->net, "sgd_momentum", r->ctx.momentum);
    r->strategy.iface->save(r->strategy.state, w);
    SN_ASSERT(dist_size() == 1 || dist_agree(ckpt_writer_digest(w)), "the MPI ranks' states differ after epoch %d",
              epochs_done - 1);
    file_in_run(path, sizeof path, r, RUN_CHECKPOINT_FILE);
    if (r->root) ckpt_writer_commit(w, path);
    else ckpt_writer_discard(w);
    free(config);
}

/* progress = {epochs done, the loader's epoch and step, SGD steps}: values the run could have reached. */
static void check_progress(const Run *r, const Checkpoint *ck, const uint64_t progress[4]) {
    const SearchConfig *c = &r->config.c;
    uint64_t steps = (uint64_t)loader_steps(r->search), most_steps = (uint64_t)c->epochs * steps * 2;
    if (progress[0] > (uint64_t)c->epochs || progress[1] > (uint64_t)c->epochs || progress[2] >= steps || progress[3] > most_steps)
        sn_die(SN_EXIT_USAGE, "%s: entry 'progress' (%llu epochs done, loader at epoch %llu step %llu, %llu SGD steps) is not a "
               "state a run of %d epochs of %llu steps reaches", ckpt_path(ck), (unsigned long long)progress[0],
               (unsigned long long)progress[1], (unsigned long long)progress[2], (unsigned long long)progress[3], c->epochs,
               (unsigned long long)steps);
}

static void load_checkpoint(Run *r, const Checkpoint *ck) {
    uint64_t progress[4], ranks = 1; /* a checkpoint without the entry comes from one process */
    if (ckpt_has(ck, "ranks")) ckpt_get_u64(ck, "ranks", 1, &ranks);
    if (ranks != (uint64_t)dist_size())
        sn_die(SN_EXIT_USAGE, "%s: the run was made by %llu MPI rank(s); resume it with the same number, not %d", r->dir,
               (unsigned long long)ranks, dist_size());
    ckpt_get_u64(ck, "progress", 4, progress);
    check_progress(r, ck, progress);
    ckpt_get_f64(ck, "seconds", 1, &r->seconds);
    if (r->seconds < 0) sn_die(SN_EXIT_USAGE, "%s: entry 'seconds' is %g, a negative search time", ckpt_path(ck), r->seconds);
    ckpt_get_supernet(ck, r->net, "net", NULL);
    ckpt_get_supernet(ck, r->net, "sgd_momentum", r->ctx.momentum);
    r->strategy.iface->load(r->strategy.state, ck);
    r->start_epoch = (int)progress[0];
    r->ctx.sgd_steps = progress[3];
    loader_seek(r->search, (int)progress[1], (int)progress[2]);
}

/* ---------------------------------------------------------------------------------------------
 * Start or resume */

static void default_run_name(const Run *r, const char *logs, char *out, size_t n) {
    char stem[256];
    snprintf(stem, sizeof stem, "%s-%s-s%d", r->config.c.method, r->dataset_name, r->config.c.seed);
    run_folder_default_name(logs, stem, out, n);
}

static void announce(const Run *r, const char *what) {
    if (r->quiet) return;
    printf("%s %s\n  data: %s (%s)\n  %s\n  search-train %d images, search-valid %d images\n  run directory: %s\n",
           what, r->method->name, r->dataset_name, r->data->source, r->data->split_note, r->train_items.n,
           r->valid_items.n, r->dir);
    if (dist_size() > 1)
        printf("  data-parallel on %d MPI ranks: 1/%d of every batch each, batch norm %s\n", dist_size(), dist_size(),
               r->config.c.sync_bn ? "over the whole batch (sync_bn = 1)" : "over each rank's share (sync_bn = 0)");
    printf("configuration ('# default': not set by the file or --set):\n");
    config_write(&r->config, stdout, 1);
    fflush(stdout);
}

/* The run's method row; `where` names the source of the method word in the error. */
static void find_method(Run *r, const char *where) {
    r->method = method_find(r->config.c.method);
    if (!r->method || r->method->kind != METHOD_WEIGHT_SHARING)
        sn_die(SN_EXIT_USAGE, "%s: method '%s' is not a weight-sharing method (see supernet search --help)", where, r->config.c.method);
}

static void start_run(Run *r, const DriverArgs *a) {
    resolve_config(a, &r->config);
    find_method(r, "supernet search");
    open_data(r);
    check_shares(r);
    char name[512] = "";
    run_folder_check_names(a->logs_dir, a->run_name);
    if (a->run_name) snprintf(name, sizeof name, "%s", a->run_name);
    else if (r->root) default_run_name(r, a->logs_dir, name, sizeof name);
    dist_broadcast(name, sizeof name); /* rank 0's clock names the run */
    snprintf(r->dir, sizeof r->dir, "%s/%s", a->logs_dir, name);
    char path[4200];
    static const char *const RUN_FILES[] = {RUN_CONFIG_FILE, RUN_EPOCHS_CSV, RUN_EPOCHS_JSONL, NULL};
    dist_barrier(); /* every rank has looked before rank 0 claims the folder */
    if (r->root) run_folder_claim(r->dir, RUN_FILES);
    if (r->root) {
        make_directories(r->dir);
        char *text = config_text(&r->config);
        file_in_run(path, sizeof path, r, RUN_CONFIG_FILE), atomic_write_file(path, text, strlen(text));
        free(text);
        run_log_create(r->dir);
    }
    announce(r, "search");
    build_engine(r);
}

static void resume_run(Run *r, const DriverArgs *a) {
    if (a->method || a->config_path || a->n_sets || a->seed >= 0 || a->data || a->run_name)
        sn_die(SN_EXIT_USAGE, "supernet search: --resume continues with the saved configuration; drop --method/--config/--set/--seed/--data/--run");
    snprintf(r->dir, sizeof r->dir, "%s", a->resume);
    char path[4200];
    file_in_run(path, sizeof path, r, RUN_CHECKPOINT_FILE);
    if (access(path, F_OK) != 0) run_folder_no_checkpoint(r->dir, path, strerror(errno));
    Checkpoint *ck = ckpt_read(path);
    const char *format = ckpt_get_text(ck, "format");
    if (strcmp(format, RUN_SEARCH_CKPT_FORMAT) != 0) sn_die(SN_EXIT_USAGE, "%s: not a search checkpoint ('%s')", path, format);
    run_folder_check_resume(r->dir, path, ckpt_get_text(ck, "config"), NULL);
    config_init(&r->config);
    config_load_text(&r->config, ckpt_get_text(ck, "config"), path);
    config_validate(&r->config);
    find_method(r, path);
    open_data(r);
    check_shares(r);
    announce(r, "resuming");
    build_engine(r);
    load_checkpoint(r, ck);
    ckpt_free(ck);
    if (r->root) run_log_truncate(r->dir, r->start_epoch);
    if (!r->quiet) printf("continuing at epoch %d of %d\n", r->start_epoch, r->config.c.epochs);
}

/* ---------------------------------------------------------------------------------------------
 * The epoch loop */

static void progress_line(const Run *r, int step, int steps, const StepStats *st, double t0, double images) {
    double elapsed = sn_now() - t0, rate = images / (elapsed > 1e-9 ? elapsed : 1e-9);
    int epochs_left = r->config.c.epochs - r->ctx.epoch - 1;
    double eta = elapsed / step * ((steps - step) + (double)epochs_left * steps);
    fprintf(stderr, "\r\033[K epoch %d/%d  step %d/%d  loss %.4f  acc %.2f%%  %.0f img/s  ETA %dm%02ds",
            r->ctx.epoch + 1, r->config.c.epochs, step, steps, st->train_loss_sum / st->train_images,
            100.0 * st->train_correct / st->train_images, rate, (int)(eta / 60), (int)fmod(eta, 60));
}

/* After an epoch's training under MPI: the step statistics of the whole batches, and with sync_bn = 0
 * rank 0's running statistics on every rank (each rank's own drifted apart; PyTorch DDP broadcasts
 * its buffers the same way), so that evaluation and the checkpoint are the same on every rank. */
static void agree_after_training(Run *r, StepStats *st) {
    double sums[6] = {st->train_loss_sum, st->train_correct, st->train_images,
                      st->arch_loss_sum, st->arch_correct, st->arch_images};
    dist_sum_f64(sums, 6);
    *st = (StepStats){.train_loss_sum = sums[0], .train_correct = (int)sums[1], .train_images = (int)sums[2],
                      .arch_loss_sum = sums[3], .arch_correct = (int)sums[4], .arch_images = (int)sums[5]};
    if (r->config.c.sync_bn) return;
    size_t n = supernet_running_stats_count(r->net);
    float *stats = sn_alloc((n ? n : 1) * sizeof(float));
    supernet_running_stats_get(r->net, stats);
    dist_broadcast(stats, n * sizeof(float));
    supernet_running_stats_set(r->net, stats);
    sn_free(stats);
}

static void train_epoch(Run *r, StepStats *st, EpochReport *rep) {
    const SearchConfig *c = &r->config.c;
    r->ctx.lr = cosine_lr(c->lr, c->eta_min, r->ctx.epoch, c->epochs, c->t_max ? c->t_max : c->epochs);
    *rep = (EpochReport){NAN, NAN, NAN};
    memset(st, 0, sizeof *st);
    double t0 = sn_now(), last_print = 0;
    if (r->strategy.iface->epoch_begin) r->strategy.iface->epoch_begin(r->strategy.state, &r->ctx, rep);
    for (int s = 0, steps = loader_steps(r->search); s < steps; s++) {
        const Batch *b = loader_next(r->search);
        supernet_set_global_batch(r->net, b->whole_n);
        r->strategy.iface->step(r->strategy.state, &r->ctx, b, st);
        if (r->progress && (sn_now() - last_print > 0.5 || s + 1 == steps)) {
            progress_line(r, s + 1, steps, st, t0, (double)st->train_images + st->arch_images);
            last_print = sn_now();
        }
    }
    if (r->progress) fprintf(stderr, "\r\033[K");
    if (dist_size() > 1) agree_after_training(r, st);
    if (r->strategy.iface->epoch_end) r->strategy.iface->epoch_end(r->strategy.state, &r->ctx, rep);
    r->seconds += sn_now() - t0;
    dist_broadcast(&r->seconds, sizeof r->seconds); /* rank 0's clock, so that every rank's checkpoint is the same */
}

static double mean_or_nan(double sum, int n) { return n ? sum / n : NAN; }

static void fill_record(Run *r, const StepStats *st, const EpochReport *rep, EpochRecord *rec) {
    Arch arch;
    float probs[ARCH_N_EDGES * ARCH_N_OPS];
    rec->epoch = r->ctx.epoch, rec->seconds = r->seconds, rec->lr = r->ctx.lr, rec->tau = rep->tau;
    rec->kendall_tau = rec->spearman_rho = NAN;
    int e = r->ctx.epoch, every = r->config.c.rank_every;
    if (r->probe && ((e + 1) % every == 0 || e + 1 == r->config.c.epochs))
        rank_probe_measure(r->probe, &rec->kendall_tau, &rec->spearman_rho); /* evaluation only: the run is unchanged */
    rec->train_loss = mean_or_nan(st->train_loss_sum, st->train_images);
    rec->train_acc = mean_or_nan(100.0 * st->train_correct, st->train_images);
    rec->arch_loss = mean_or_nan(st->arch_loss_sum, st->arch_images);
    rec->arch_acc = mean_or_nan(100.0 * st->arch_correct, st->arch_images);
    rec->valid_loss = rep->valid_loss, rec->valid_acc = rep->valid_acc;
    int has_probs = r->strategy.iface->derive(r->strategy.state, &r->ctx, &arch, probs);
    for (int k = 0; k < ARCH_N_EDGES * ARCH_N_OPS; k++) rec->p[k / ARCH_N_OPS][k % ARCH_N_OPS] = has_probs ? probs[k] : NAN;
    rec->code = arch_to_code(&arch);
    rec->index = table_index_of_code(r->table, rec->code);
    for (int k = 0; k < TABLE_N_COLS; k++) rec->acc[k] = table_arch(r->table, rec->index)->acc200[k];
}

/* CPU seconds of the whole process (all threads): with a shared machine, wall time alone misleads. */
static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_epoch(const Run *r, const EpochRecord *rec, double epoch_seconds, double epoch_cpu) {
    if (r->quiet) return;
    char arch[ARCH_STR_MAX];
    arch_format_code(rec->code, arch);
    printf("epoch %3d/%d  %6.1fs (cpu %.1fs)  lr %.5f", rec->epoch, r->config.c.epochs, epoch_seconds, epoch_cpu, rec->lr);
    if (!isnan(rec->tau)) printf("  tau %.3f", rec->tau);
    printf("  train %.4f/%.2f%%", rec->train_loss, rec->train_acc);
    if (!isnan(rec->arch_loss)) printf("  arch %.4f/%.2f%%", rec->arch_loss, rec->arch_acc);
    if (!isnan(rec->valid_loss)) printf("  valid %.4f/%.2f%%", rec->valid_loss, rec->valid_acc);
    if (!isnan(rec->kendall_tau)) printf("  ranking: Kendall %.3f, Spearman %.3f", rec->kendall_tau, rec->spearman_rho);
    printf("\n    %s  index %d  %s %.2f  %s %.2f\n", arch, rec->index, TABLE_COLUMNS[COL_C10_VALID].label,
           rec->acc[COL_C10_VALID], TABLE_COLUMNS[COL_C10_TEST].split, rec->acc[COL_C10_TEST]);
    fflush(stdout);
}

/* ---------------------------------------------------------------------------------------------
 * Summary */

static void print_decision(const Decision *d) {
    printf("decided: %s (", d->decided ? "yes" : "no");
    if (d->has_probs)
        printf("top-op probability %.3f on the least decided live edge (%.3f over all edges), criterion >= %.1f; ",
               d->min_top_p, d->min_top_p_all, DECISION_MIN_TOP_P);
    printf("the same cell for the last %d epoch(s), criterion >= %d)\n", d->stable_epochs, DECISION_STABLE_EPOCHS);
}

static void print_summary(const Run *r, const EpochRecord *last, const Decision *d) {
    char arch[ARCH_STR_MAX];
    arch_format_code(last->code, arch);
    printf("\n%s on %s, seed %d: %d epochs, %.1f s of search\nchosen cell (last epoch's argmax)  %s\n"
           "benchmark index %d (200-epoch accuracies, %%; seed means)\n\n%-30s",
           r->method->name, r->dataset_name, r->config.c.seed, r->config.c.epochs, r->seconds, arch, last->index, "");
    for (int k = 0; k < TABLE_N_COLS; k++) printf("%14s", TABLE_COLUMNS[k].label);
    printf("\n%-30s", "this run");
    for (int k = 0; k < TABLE_N_COLS; k++) printf("%14.2f", last->acc[k]);
    printf("\n");
    for (int v = 0; v < PAPER_N_ROWS; v++) {
        const PaperRow *p = &r->method->paper[v];
        printf("%-30s", PAPER_ROW_LABELS[v]);
        for (int k = 0; k < TABLE_N_COLS; k++) printf("  %6.2f+-%4.2f", p->mean[k], p->std[k]);
        printf("\n");
    }
    printf("\n");
    print_decision(d);
    printf("records: %s/" RUN_EPOCHS_CSV ", %s/" RUN_EPOCHS_JSONL "\n", r->dir, r->dir);
    if (dist_size() > 1) printf("%d MPI ranks: every checkpoint identical on all ranks\n", dist_size());
}

static void write_summary(const Run *r, const EpochRecord *last, const Decision *d) {
    char arch[ARCH_STR_MAX], path[4200], *text;
    size_t len;
    arch_format_code(last->code, arch);
    FILE *f = open_memstream(&text, &len);
    fprintf(f, "{\"method\": \"%s\", \"dataset\": \"%s\", \"seed\": %d, \"epochs\": %d, "
               "\"" RUN_SUMMARY_SECONDS_KEY "\": %.3f, \"arch\": \"%s\", \"index\": %d",
            r->method->name, r->dataset_name, r->config.c.seed, r->config.c.epochs, r->seconds, arch, last->index);
    for (int k = 0; k < TABLE_N_COLS; k++) fprintf(f, ", \"%s\": %.6g", TABLE_COLUMNS[k].key, last->acc[k]);
    fprintf(f, ", \"decided\": %s, \"stable_epochs\": %d, \"min_top_p\": ", d->decided ? "true" : "false", d->stable_epochs);
    if (d->has_probs) fprintf(f, "%.6g, \"min_top_p_all\": %.6g}\n", d->min_top_p, d->min_top_p_all);
    else fprintf(f, "null, \"min_top_p_all\": null}\n");
    fclose(f);
    file_in_run(path, sizeof path, r, RUN_SUMMARY_FILE), atomic_write_file(path, text, len);
    free(text);
}

static void free_run(Run *r) {
    r->strategy.iface->free(r->strategy.state);
    sn_free(r->ctx.momentum);
    if (r->valid) loader_free(r->valid);
    loader_free(r->search);
    rank_probe_free(r->probe);
    supernet_free(r->net);
    table_free(r->table);
    dataset_free(r->data);
    config_free(&r->config);
}

/* The decision over all the run's records, resumed parts included (they are in epochs.csv). */
static Decision run_decision(const Run *r) {
    char err[512];
    RunEpochs log;
    if (epochs_csv_read(r->dir, &log, err, sizeof err) != 0) sn_die(SN_EXIT_USAGE, "%s", err);
    Decision d = decision_of(log.rec, log.n);
    run_epochs_free(&log);
    return d;
}

/* A resumed run whose last epoch is already checkpointed: it was stopped before or while writing its
 * summary. The summary comes from the last record of epochs.csv (the same values the run printed). */
static void finish_completed_run(Run *r, EpochRecord *rec) {
    char path[4200], err[512];
    RunEpochs log;
    file_in_run(path, sizeof path, r, RUN_SUMMARY_FILE);
    if (access(path, F_OK) == 0) {
        if (r->root) printf("%s: the run has already finished all %d epochs; nothing to do\n", r->dir, r->config.c.epochs);
        free_run(r);
        return;
    }
    if (epochs_csv_read(r->dir, &log, err, sizeof err) != 0) sn_die(SN_EXIT_USAGE, "%s", err);
    if (log.n == 0 || log.rec[log.n - 1].code < 0) sn_die(SN_EXIT_USAGE, "%s/" RUN_EPOCHS_CSV ": no final record", r->dir);
    *rec = log.rec[log.n - 1];
    rec->index = table_index_of_code(r->table, rec->code);
    Decision d = decision_of(log.rec, log.n);
    run_epochs_free(&log);
    if (r->root) write_summary(r, rec, &d), print_summary(r, rec, &d);
    free_run(r);
}

int search_weight_sharing(const DriverArgs *a) {
    Run r;
    memset(&r, 0, sizeof r);
    omp_set_num_threads(a->threads);
    bli_thread_set_num_threads(a->threads);
    r.root = dist_is_root();
    r.quiet = a->quiet || !r.root;
    r.table = table_open(a->table);
    if (a->resume) resume_run(&r, a);
    else start_run(&r, a);
    r.progress = !a->quiet && isatty(STDERR_FILENO);
    EpochRecord rec;
    epoch_record_clear(&rec);
    if (r.start_epoch >= r.config.c.epochs) {
        finish_completed_run(&r, &rec);
        return 0;
    }
    for (int e = r.start_epoch; e < r.config.c.epochs; e++) {
        StepStats st;
        EpochReport rep;
        double before = r.seconds, cpu_before = cpu_seconds();
        r.ctx.epoch = e;
        train_epoch(&r, &st, &rep);
        fill_record(&r, &st, &rep, &rec);
        if (r.root) run_log_append(r.dir, &rec);
        save_checkpoint(&r, e + 1);
        if (r.root) plot_run_refresh(r.dir); /* derivation.png, alpha.png, ops.png of the epochs so far */
        print_epoch(&r, &rec, r.seconds - before, cpu_seconds() - cpu_before);
    }
    if (r.root) {
        Decision d = run_decision(&r);
        write_summary(&r, &rec, &d);
        print_summary(&r, &rec, &d);
    }
    free_run(&r);
    return 0;
}
