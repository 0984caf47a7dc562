/* selection.c: batch streams and one-batch-per-candidate cell selection (see selection.h). */
#include "strategies/selection.h"

#include "dist/dist.h"
#include "strategies/strategy.h"

BatchStream batch_stream(Loader *loader, int first_epoch) { return (BatchStream){.loader = loader, .next_epoch = first_epoch}; }

void batch_stream_restart(BatchStream *s) { s->left = 0, s->held = NULL; }

const Batch *batch_stream_next(BatchStream *s) {
    if (s->same_batch) {
        if (!s->held) loader_seek(s->loader, s->next_epoch, 0), s->held = loader_next(s->loader);
        return s->held;
    }
    if (s->left == 0) {
        loader_seek(s->loader, s->next_epoch++, 0);
        s->left = loader_steps(s->loader);
    }
    s->left--;
    return loader_next(s->loader);
}

void batch_stream_save(const BatchStream *s, CkptWriter *w, const char *name) {
    uint64_t next = (uint64_t)s->next_epoch;
    ckpt_put_u64(w, name, 1, &next);
}

void batch_stream_load(BatchStream *s, const Checkpoint *ck, const char *name) {
    uint64_t next;
    ckpt_get_u64(ck, name, 1, &next);
    s->next_epoch = (int)next;
}

void selection_draws(SelectionDraws *d, int select_common, uint64_t seed, Rng *own_rng, BatchStream *own_stream) {
    d->rng = own_rng, d->stream = own_stream;
    if (!select_common) return;
    rng_seed(&d->common_rng, seed, STREAM_SELECT_COMMON);
    d->common_stream = batch_stream(own_stream->loader, SELECTION_COMMON_EPOCH);
    d->common_stream.same_batch = 1;
    d->rng = own_rng ? &d->common_rng : NULL, d->stream = &d->common_stream;
}

double stream_batch_hit_rate(Supernet *net, BatchStream *s, const Arch *arch) {
    const Batch *b = batch_stream_next(s);
    int hits = 0;
    NetSelection sel = {arch, NULL};
    supernet_evaluate(net, b->x, b->y, b->n, sel, &hits, NULL);
    double summed = hits;
    dist_sum_f64(&summed, 1);
    return summed / b->whole_n;
}

int select_best_cell(Supernet *net, BatchStream *s, const Arch *cands, int k, double *best_acc) {
    int best = 0;
    double top = -1.0;
    batch_stream_restart(s);
    for (int i = 0; i < k; i++) {
        double acc = 100.0 * stream_batch_hit_rate(net, s, &cands[i]);
        if (acc > top) top = acc, best = i; /* strict: the first of equal scores wins (np.argmax) */
    }
    if (best_acc) *best_acc = top;
    return best;
}

void stream_evaluate(Supernet *net, BatchStream *s, const Arch *arch, double *loss, double *acc) {
    PassTotals t = {0};
    batch_stream_restart(s);
    for (int i = 0, steps = loader_steps(s->loader); i < steps; i++) {
        const Batch *b = batch_stream_next(s);
        int hits = 0;
        NetSelection sel = {arch, NULL};
        double mean_loss = supernet_evaluate(net, b->x, b->y, b->n, sel, &hits, NULL);
        pass_totals_add(&t, mean_loss, hits, b->n);
    }
    pass_totals_mean(&t, loss, acc);
}
