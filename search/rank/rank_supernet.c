/*
 * rank_supernet.c: the supernet scorer (see rank.h): a search run's shared weights (its checkpoint, any
 * weight-sharing method) rank the cells by their accuracy on the discrete path over the same M
 * search-valid images (a seeded draw from the run's own search-valid split), evaluated in batches of the
 * run's valid_batch with the BN modes of the run (its track_running_stats and eval_bn_batch_stats).
 *
 * --bn-recalibrate B: before each cell is evaluated, the running statistics (stem, reductions, head, and
 * the cell BNs where tracked) are reset and re-estimated for that cell as the plain average over B
 * training passes of the same B search-train batches (a seeded draw, not augmented, the run's
 * batch_size), with the weights untouched.
 *
 * The search driver's probe (rank_every): the same scorer on the run's own supernet after an epoch, over
 * rank_cells cells sampled with the run's seed and rank_images search-valid images, against the table's
 * column of the run's data (x-valid, 200 epochs). It only evaluates: no state of the run changes.
 */
#include <string.h>

#include "common.h"
#include "loader.h"
#include "methods.h"
#include "rank/rank.h"
#include "run/checkpoint.h"
#include "run/config.h"
#include "run/driver.h"
#include "run/run_dir.h"
#include "stats/correlation.h"
#include "table.h"

RankImages rank_draw_images(const Dataset *d, const Subset *items, int n, int seed, int stream) {
    size_t per = (size_t)d->spec->channels * d->spec->height * d->spec->width;
    RankImages im = {.x = sn_alloc(per * (size_t)n * sizeof(float)), .y = sn_alloc((size_t)n * sizeof(int32_t)), .n = n};
    LoaderConfig lc = {.mode = LOADER_EVAL, .items = items, .batch = n, .shuffle = 1,
                       .seed = rng_stream_seed((uint64_t)seed, (uint64_t)stream), .threads = 1};
    Loader *L = loader_create(d, &lc);
    const Batch *b = loader_next(L);
    memcpy(im.x, b->x, per * (size_t)n * sizeof(float));
    memcpy(im.y, b->y, (size_t)n * sizeof(int32_t));
    loader_free(L);
    return im;
}

int rank_data_fits_column(const Dataset *d, int column) {
    int classes, image_size;
    rank_table_network(column, &classes, &image_size);
    return d->spec->n_classes == classes && d->spec->height == image_size;
}

struct SupernetScorer {
    Supernet *net; /* borrowed */
    RankImages valid, recal;
    int eval_batch, train_batch, recal_batches;
    size_t per_image;
};
typedef SupernetScorer Scorer;

SupernetScorer *supernet_scorer_create(Supernet *net, const Dataset *d, const Subset *valid, int images, int seed) {
    Scorer *s = sn_alloc(sizeof *s);
    s->net = net;
    s->eval_batch = supernet_config(net)->max_eval_batch;
    s->per_image = (size_t)d->spec->channels * d->spec->height * d->spec->width;
    s->valid = rank_draw_images(d, valid, images, seed, RANK_STREAM_IMAGES);
    return s;
}

void supernet_scorer_recalibrate(SupernetScorer *s, const Dataset *d, const Subset *train, int batches, int batch_size, int seed) {
    s->recal_batches = batches, s->train_batch = batch_size;
    if (batches) s->recal = rank_draw_images(d, train, batches * batch_size, seed, RANK_STREAM_RECALIBRATE);
}

void supernet_scorer_free(SupernetScorer *s) {
    if (!s) return;
    sn_free(s->valid.x), sn_free(s->valid.y), sn_free(s->recal.x), sn_free(s->recal.y);
    sn_free(s);
}

/* The run's configuration from its checkpoint, which must be a weight-sharing search's. */
static Checkpoint *open_run(const char *dir, ConfigState *cfg) {
    char path[4200];
    snprintf(path, sizeof path, "%s/" RUN_CHECKPOINT_FILE, dir);
    Checkpoint *ck = ckpt_read(path);
    const char *format = ckpt_get_text(ck, "format");
    if (strcmp(format, RUN_SEARCH_CKPT_FORMAT) != 0)
        sn_die(SN_EXIT_USAGE, "%s: not a search run's checkpoint (format '%s'); the supernet scorer needs one", path, format);
    config_init(cfg);
    config_load_text(cfg, ckpt_get_text(ck, "config"), path);
    config_validate(cfg);
    const Method *m = method_find(cfg->c.method);
    if (!m || m->kind != METHOD_WEIGHT_SHARING) sn_die(SN_EXIT_USAGE, "%s: method '%s' has no supernet", path, cfg->c.method);
    return ck;
}

static void check_column(const Dataset *d, int column, const char *dir) {
    if (!rank_data_fits_column(d, column))
        sn_die(SN_EXIT_USAGE, "%s searched on %s (%d classes), which is not --dataset %s's network", dir, d->spec->name,
               d->spec->n_classes, TABLE_COLUMNS[column].dataset);
}

double supernet_scorer_accuracy(SupernetScorer *s, const Arch *cell) {
    NetSelection sel = {cell, NULL};
    if (s->recal_batches) {
        supernet_reset_running_stats(s->net);
        for (int k = 0; k < s->recal_batches; k++) {
            supernet_set_bn_momentum(s->net, 1.0f / (float)(k + 1));
            supernet_forward(s->net, s->recal.x + (size_t)k * s->train_batch * s->per_image,
                             s->recal.y + (size_t)k * s->train_batch, s->train_batch, sel, NULL);
        }
    }
    int hits = 0;
    for (int at = 0; at < s->valid.n; at += s->eval_batch) {
        int n = s->valid.n - at < s->eval_batch ? s->valid.n - at : s->eval_batch, correct = 0;
        supernet_evaluate(s->net, s->valid.x + (size_t)at * s->per_image, s->valid.y + at, n, sel, &correct, NULL);
        hits += correct;
    }
    return 100.0 * hits / s->valid.n;
}

int rank_eval_batch(const SearchConfig *c, int images) { return images < c->valid_batch ? images : c->valid_batch; }

int rank_column_of_data(const DatasetSpec *spec) {
    switch (spec->kind) {
    case DATASET_CIFAR10: return COL_C10_VALID;
    case DATASET_CIFAR100: return COL_C100_VALID;
    case DATASET_IMAGENET16_120: return COL_IN16_VALID;
    default: return -1;
    }
}

/* ---------------------------------------------------------------------------------------------
 * The search driver's probe */

RankProbe *rank_probe_create(const SearchConfig *c, Supernet *net, const Dataset *d, const Subset *valid, const Table *t) {
    int col = rank_column_of_data(d->spec);
    if (col < 0) sn_die(SN_EXIT_USAGE, "config: rank_every needs data the benchmark table holds, not %s", d->spec->name);
    if (c->rank_images > valid->n)
        sn_die(SN_EXIT_USAGE, "config: rank_images = %d, but search-valid has %d images", c->rank_images, valid->n);
    RankProbe *p = sn_alloc(sizeof *p);
    char word[32];
    snprintf(word, sizeof word, "sample:%d", c->rank_cells);
    int *index = rank_select_cells(word, t, col, c->seed, &p->n);
    p->cells = sn_alloc(sizeof(Arch) * (size_t)p->n);
    p->truth = sn_alloc(sizeof(double) * (size_t)p->n), p->score = sn_alloc(sizeof(double) * (size_t)p->n);
    for (int i = 0; i < p->n; i++) {
        p->cells[i] = arch_from_code(table_arch(t, index[i])->code);
        p->truth[i] = table_arch(t, index[i])->acc200[col];
    }
    sn_free(index);
    p->scorer = supernet_scorer_create(net, d, valid, c->rank_images, c->seed);
    return p;
}

void rank_probe_measure(RankProbe *p, double *tau, double *rho) {
    for (int i = 0; i < p->n; i++) p->score[i] = supernet_scorer_accuracy(p->scorer, &p->cells[i]);
    *tau = kendall_tau_b(p->score, p->truth, p->n), *rho = spearman_rho(p->score, p->truth, p->n);
}

void rank_probe_free(RankProbe *p) {
    if (!p) return;
    supernet_scorer_free(p->scorer);
    sn_free(p->cells), sn_free(p->truth), sn_free(p->score), sn_free(p);
}

void rank_supernet_scores(const RankArgs *a, int column, const Arch *cells, int n, double *score) {
    ConfigState cfg;
    Checkpoint *ck = open_run(a->run_dir, &cfg);
    const SearchConfig *c = &cfg.c;
    const char *why = supernet_precision_unavailable(c->precision);
    if (why) sn_die(SN_EXIT_USAGE, "%s: %s", a->run_dir, why);
    Subset train, valid;
    Dataset *d = search_open_data(c, &train, &valid);
    check_column(d, column, a->run_dir);
    if (a->images < 1 || a->images > valid.n)
        sn_die(SN_EXIT_USAGE, "--images %d: the run's search-valid split has %d images", a->images, valid.n);
    if ((long)a->bn_recalibrate * c->batch_size > train.n)
        sn_die(SN_EXIT_USAGE, "--bn-recalibrate %d: %d batches of %d exceed the run's %d search-train images", a->bn_recalibrate,
               a->bn_recalibrate, c->batch_size, train.n);
    SupernetConfig nc = search_supernet_config(c, d->spec, c->batch_size, rank_eval_batch(c, a->images), 0);
    Supernet *net = supernet_create(&nc);
    supernet_set_eval_batch_stats(net, c->eval_bn_batch_stats);
    ckpt_get_supernet(ck, net, "net", NULL);
    ckpt_free(ck);
    Scorer *s = supernet_scorer_create(net, d, &valid, a->images, a->seed);
    supernet_scorer_recalibrate(s, d, &train, a->bn_recalibrate, c->batch_size, a->seed);
    double t0 = sn_now();
    for (int i = 0; i < n; i++) {
        score[i] = supernet_scorer_accuracy(s, &cells[i]);
        rank_progress(i + 1, n, t0);
    }
    supernet_scorer_free(s);
    supernet_free(net);
    dataset_free(d);
    config_free(&cfg);
}
