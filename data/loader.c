/* loader.c: the batch iterator with its background prefetch thread (see loader.h). */
#include "loader.h"

#include <pthread.h>

#include "augment.h"
#include "common.h"

/* Stream of epoch e's order; sample streams are (e << 32 | position) and never set bit 63. */
#define ORDER_STREAM(e) ((1ull << 63) | (uint64_t)(e))

struct Loader {
    LoaderConfig cfg;
    const Dataset *d;
    int steps;
    size_t image_floats; /* C * H * W */
    int32_t *order;      /* (items->n) positions into items for order_epoch */
    int order_epoch;
    Batch *buf[2];
    int next_epoch, next_step; /* the batch loader_next returns next */
    int prefetched;            /* buf[job_buf] holds (or is being filled with) that batch */
    /* background filler: it fills buf[job_buf] at (job_epoch, job_step) while busy is set */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int busy, quit, job_buf, job_epoch, job_step;
};

static void make_order(Loader *L, int epoch) {
    int n = L->cfg.items->n;
    for (int i = 0; i < n; i++) L->order[i] = i;
    if (L->cfg.shuffle) {
        Rng rng;
        rng_seed(&rng, L->cfg.seed, ORDER_STREAM(epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = (int)rng_below(&rng, (uint32_t)i + 1);
            int32_t t = L->order[i];
            L->order[i] = L->order[j], L->order[j] = t;
        }
    }
    L->order_epoch = epoch;
}

static void fill_sample(const Loader *L, Batch *b, int i, int epoch, int pos) {
    const Subset *items = L->cfg.items;
    const ImageArray *a = items->images;
    size_t img_bytes = L->image_floats; /* one byte per float */
    int k = items->index[L->order[pos]];
    float *x = b->x + (size_t)i * L->image_floats;
    b->y[i] = a->labels[k];
    if (L->cfg.mode == LOADER_EVAL) {
        augment_eval(x, a->pixels + (size_t)k * img_bytes, L->d);
        return;
    }
    Rng rng;
    rng_seed(&rng, L->cfg.seed, (uint64_t)epoch << 32 | (uint32_t)pos);
    augment_train(x, a->pixels + (size_t)k * img_bytes, L->d, &rng);
    if (L->cfg.mode == LOADER_SEARCH_PAIRS) {
        const Subset *p = L->cfg.partners;
        int j = p->index[rng_below(&rng, (uint32_t)p->n)];
        b->ya[i] = p->images->labels[j];
        augment_train(b->xa + (size_t)i * L->image_floats, p->images->pixels + (size_t)j * img_bytes, L->d, &rng);
    }
}

static void fill_batch(Loader *L, Batch *out, int epoch, int step) {
    SN_ASSERT(epoch >= 0 && epoch < (1 << 30) && step >= 0 && step < L->steps, "batch (%d, %d) out of range", epoch, step);
    if (L->order_epoch != epoch) make_order(L, epoch);
    int start = step * L->cfg.batch, whole = L->cfg.items->n - start;
    if (whole > L->cfg.batch) whole = L->cfg.batch;
    int from = start + whole * L->cfg.share / L->cfg.shares, n = start + whole * (L->cfg.share + 1) / L->cfg.shares - from;
#pragma omp parallel for num_threads(L->cfg.threads) if (L->cfg.threads > 1) schedule(static)
    for (int i = 0; i < n; i++) fill_sample(L, out, i, epoch, from + i);
    out->n = n, out->whole_n = whole, out->epoch = epoch, out->step = step;
}

static void *filler_main(void *arg) {
    Loader *L = arg;
    pthread_mutex_lock(&L->mu);
    for (;;) {
        while (!L->busy && !L->quit) pthread_cond_wait(&L->cv, &L->mu);
        if (L->quit) break;
        pthread_mutex_unlock(&L->mu);
        fill_batch(L, L->buf[L->job_buf], L->job_epoch, L->job_step);
        pthread_mutex_lock(&L->mu);
        L->busy = 0;
        pthread_cond_broadcast(&L->cv);
    }
    pthread_mutex_unlock(&L->mu);
    return NULL;
}

static void wait_idle(Loader *L) {
    pthread_mutex_lock(&L->mu);
    while (L->busy) pthread_cond_wait(&L->cv, &L->mu);
    pthread_mutex_unlock(&L->mu);
}

static void start_fill(Loader *L, int buf, int epoch, int step) {
    pthread_mutex_lock(&L->mu);
    L->job_buf = buf, L->job_epoch = epoch, L->job_step = step, L->busy = 1;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
}

void loader_fill(Loader *L, Batch *out, int epoch, int step) {
    if (L->cfg.prefetch) wait_idle(L); /* the filler thread owns the epoch order while it runs */
    fill_batch(L, out, epoch, step);
}

Batch *batch_create(const Loader *L) {
    Batch *b = sn_alloc(sizeof *b);
    size_t floats = (size_t)L->cfg.batch * L->image_floats;
    b->x = sn_alloc(sizeof(float) * floats);
    b->y = sn_alloc(sizeof(int32_t) * (size_t)L->cfg.batch);
    if (L->cfg.mode == LOADER_SEARCH_PAIRS) {
        b->xa = sn_alloc(sizeof(float) * floats);
        b->ya = sn_alloc(sizeof(int32_t) * (size_t)L->cfg.batch);
    }
    return b;
}

void batch_free(Batch *b) {
    if (!b) return;
    sn_free(b->x), sn_free(b->y), sn_free(b->xa), sn_free(b->ya);
    sn_free(b);
}

Loader *loader_create(const Dataset *d, const LoaderConfig *cfg) {
    SN_ASSERT(cfg->items && cfg->items->n > 0 && cfg->batch > 0 && cfg->threads > 0, "bad loader configuration");
    SN_ASSERT(cfg->mode != LOADER_SEARCH_PAIRS || (cfg->partners && cfg->partners->n > 0), "pairs need partners");
    Loader *L = sn_alloc(sizeof *L);
    L->cfg = *cfg;
    if (cfg->shares == 0) L->cfg.shares = 1;
    SN_ASSERT(L->cfg.share >= 0 && L->cfg.share < L->cfg.shares, "share %d of %d", L->cfg.share, L->cfg.shares);
    L->d = d;
    L->steps = (cfg->items->n + cfg->batch - 1) / cfg->batch;
    L->image_floats = (size_t)d->spec->channels * d->spec->height * d->spec->width;
    L->order = sn_alloc(sizeof(int32_t) * (size_t)cfg->items->n);
    L->order_epoch = -1;
    L->buf[0] = batch_create(L);
    L->buf[1] = batch_create(L);
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->cv, NULL);
    if (cfg->prefetch && pthread_create(&L->thread, NULL, filler_main, L) != 0)
        sn_die(1, "cannot start the data prefetch thread");
    return L;
}

void loader_free(Loader *L) {
    if (!L) return;
    if (L->cfg.prefetch) {
        pthread_mutex_lock(&L->mu);
        L->quit = 1;
        pthread_cond_broadcast(&L->cv);
        pthread_mutex_unlock(&L->mu);
        pthread_join(L->thread, NULL);
    }
    pthread_mutex_destroy(&L->mu);
    pthread_cond_destroy(&L->cv);
    batch_free(L->buf[0]), batch_free(L->buf[1]);
    sn_free(L->order);
    sn_free(L);
}

int loader_steps(const Loader *L) { return L->steps; }

void loader_tell(const Loader *L, int *epoch, int *step) { *epoch = L->next_epoch, *step = L->next_step; }

void loader_seek(Loader *L, int epoch, int step) {
    SN_ASSERT(epoch >= 0 && step >= 0 && step < L->steps, "seek to (%d, %d) out of range", epoch, step);
    if (L->cfg.prefetch) wait_idle(L);
    L->prefetched = 0;
    L->next_epoch = epoch, L->next_step = step;
}

const Batch *loader_next(Loader *L) {
    int b;
    if (L->prefetched) {
        wait_idle(L);
        b = L->job_buf;
    } else {
        b = 0;
        fill_batch(L, L->buf[b], L->next_epoch, L->next_step);
    }
    if (++L->next_step == L->steps) L->next_step = 0, L->next_epoch++;
    if (L->cfg.prefetch) {
        start_fill(L, 1 - b, L->next_epoch, L->next_step);
        L->prefetched = 1;
    }
    return L->buf[b];
}
