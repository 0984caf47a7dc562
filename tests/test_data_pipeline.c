/* test_data_pipeline.c: augmentation with exact pixels (including the padded value -mean/std), the
 * evaluation transform, the search pairing, epoch lengths, shuffling, determinism across thread
 * counts, prefetch, and exact resumption. Runs on the embedded CIFAR-10 subset. */
#include <stdlib.h>
#include <string.h>

#include "augment.h"
#include "dataset.h"
#include "loader.h"
#include "test_util.h"

/* Independent reference: pad in pixel space, flip, crop, then normalise in double precision. */
static double reference_pixel(const Dataset *d, const uint8_t *img, CropFlip t, int c, int y, int x) {
    const DatasetSpec *s = d->spec;
    int sy = y + t.top - s->crop_pad, sx = x + t.left - s->crop_pad;
    int v = 0;
    if (sy >= 0 && sy < s->height && sx >= 0 && sx < s->width)
        v = img[(c * s->height + sy) * s->width + (t.flip ? s->width - 1 - sx : sx)];
    return (v / 255.0 - s->mean[c] / 255.0) / (s->std[c] / 255.0);
}

static void test_augment_exact(const Dataset *d) {
    const uint8_t *img = d->train.pixels; /* image 0 of the embedded subset */
    float out[3 * 32 * 32];
    /* Fixed seed: the draws themselves are part of the contract (flip, then top, then left). */
    Rng rng;
    rng_seed(&rng, 42, 7);
    CropFlip t = augment_draw(d->spec, &rng);
    CHECK(t.flip == 0 && t.top == 8 && t.left == 2, "seed 42/7 drew flip %d top %d left %d", t.flip, t.top, t.left);
    rng_seed(&rng, 42, 7);
    augment_train(out, img, d, &rng);
    int bad = 0;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) bad += fabs(out[(c * 32 + y) * 32 + x] - reference_pixel(d, img, t, c, y, x)) > 1e-5;
    CHECK(bad == 0, "%d pixels differ from the reference transform", bad);
    /* top 8, left 2 with pad 4: output (y, x) is source (y + 4, x - 2); rows 28.. and columns 0..1 are
     * padding and hold -mean/std of their channel. */
    const double pad_r = -125.3 / 63.0, pad_g = -123.0 / 62.1, pad_b = -113.9 / 66.7;
    CHECK_CLOSE(out[0], pad_r, 1e-6, 0, "padded R (0, 0)");
    CHECK_CLOSE(out[32 * 32 + 29 * 32 + 10], pad_g, 1e-6, 0, "padded G (29, 10)");
    CHECK_CLOSE(out[2 * 32 * 32 + 5 * 32 + 1], pad_b, 1e-6, 0, "padded B (5, 1)");
    CHECK_CLOSE(out[3 * 32 + 4], (img[7 * 32 + 2] / 255.0 - 125.3 / 255) / (63.0 / 255), 1e-6, 0, "R (3, 4) = source (7, 2)");
    CropFlip mirrored = {1, 4, 4};
    augment_apply(out, img, d, mirrored);
    CHECK_CLOSE(out[32 * 32], (img[32 * 32 + 31] / 255.0 - 123.0 / 255) / (62.1 / 255), 1e-6, 0, "flipped G (0, 0) = source (0, 31)");
    /* Float32 arithmetic as PyTorch does it: ((0 / 255) - mean/255) / (std/255) in float. */
    CHECK(d->norm_lut[0][0] == (0.0f - (float)(125.3 / 255.0)) / (float)(63.0 / 255.0), "lut[0] is not float32 -mean/std");
    CropFlip none = {0, 4, 4};
    augment_apply(out, img, d, none);
    float ev[3 * 32 * 32];
    augment_eval(ev, img, d);
    CHECK(memcmp(out, ev, sizeof ev) == 0, "centre crop without flip differs from the evaluation transform");
    CHECK_CLOSE(ev[5], (img[5] / 255.0 - 125.3 / 255) / (63.0 / 255), 1e-6, 0, "eval pixel 5");
}

static int same_batch(const Batch *a, const Batch *b, size_t floats) {
    int same = a->n == b->n && memcmp(a->x, b->x, sizeof(float) * floats * a->n) == 0 &&
               memcmp(a->y, b->y, sizeof(int32_t) * a->n) == 0;
    if (a->xa) same &= memcmp(a->xa, b->xa, sizeof(float) * floats * a->n) == 0 && memcmp(a->ya, b->ya, sizeof(int32_t) * a->n) == 0;
    return same;
}

/* The pairing re-derived from the documented streams: sample p of epoch e uses Rng (seed, e << 32 | p):
 * its own crop/flip, then the partner's position, then the partner's crop/flip. */
static void test_pairing_exact(const Dataset *d) {
    LoaderConfig cfg = {.mode = LOADER_SEARCH_PAIRS, .items = &d->search_train, .partners = &d->search_valid, .batch = 64,
                        .shuffle = 0, .seed = 9, .threads = 1, .prefetch = 0};
    Loader *L = loader_create(d, &cfg);
    Batch *b = batch_create(L);
    loader_fill(L, b, 3, 5);
    float want[3 * 32 * 32];
    int bad = 0;
    for (int i = 0; i < b->n; i += 9) {
        int pos = 5 * 64 + i;
        Rng rng;
        rng_seed(&rng, 9, (uint64_t)3 << 32 | (uint32_t)pos);
        CropFlip t = augment_draw(d->spec, &rng);
        augment_apply(want, d->train.pixels + (size_t)d->search_train.index[pos] * 3072, d, t);
        bad += memcmp(want, b->x + (size_t)i * 3072, sizeof want) != 0;
        int j = d->search_valid.index[rng_below(&rng, (uint32_t)d->search_valid.n)];
        augment_apply(want, d->train.pixels + (size_t)j * 3072, d, augment_draw(d->spec, &rng));
        bad += memcmp(want, b->xa + (size_t)i * 3072, sizeof want) != 0 || b->ya[i] != d->train.labels[j];
        bad += j < 2500; /* partners come from the valid part */
    }
    CHECK(bad == 0, "%d paired samples differ from the documented derivation", bad);
    batch_free(b);
    loader_free(L);
}

/* 25,000 items at batch 64: 391 steps, the last holding 40 (REFERENCE.md 2.4). */
static void test_epoch_shape(const Dataset *d) {
    Subset big = {&d->train, malloc(sizeof(int32_t) * 25000), 25000};
    for (int i = 0; i < 25000; i++) big.index[i] = i % 5000;
    LoaderConfig cfg = {.mode = LOADER_SEARCH_PAIRS, .items = &big, .partners = &d->search_valid, .batch = 64, .shuffle = 1,
                        .seed = 1, .threads = 1, .prefetch = 0};
    Loader *L = loader_create(d, &cfg);
    Batch *b = batch_create(L);
    CHECK(loader_steps(L) == 391, "steps %d", loader_steps(L));
    loader_fill(L, b, 0, 390);
    CHECK(b->n == 40, "last batch holds %d", b->n);
    loader_fill(L, b, 0, 389);
    CHECK(b->n == 64, "second-last batch holds %d", b->n);
    batch_free(b);
    loader_free(L);
    free(big.index);
}

/* One epoch of a shuffled evaluation loader visits every item once; the next epoch in another order. */
static void test_shuffle(const Dataset *d) {
    LoaderConfig cfg = {.mode = LOADER_EVAL, .items = &d->eval_test, .batch = 64, .shuffle = 1, .seed = 4, .threads = 1,
                        .prefetch = 0};
    Loader *L = loader_create(d, &cfg);
    Batch *b = batch_create(L);
    int counts[10] = {0}, first_labels[2][64];
    for (int e = 0; e < 2; e++)
        for (int s = 0; s < loader_steps(L); s++) {
            loader_fill(L, b, e, s);
            for (int i = 0; i < b->n; i++) counts[b->y[i]] += e == 0;
            if (s == 0) memcpy(first_labels[e], b->y, sizeof first_labels[e]);
        }
    int bad = 0;
    for (int c = 0; c < 10; c++) bad += counts[c] != 100;
    CHECK(bad == 0, "a shuffled epoch does not visit each test image once");
    CHECK(memcmp(first_labels[0], first_labels[1], sizeof first_labels[0]) != 0, "epochs 0 and 1 share an order");
    cfg.shuffle = 0;
    Loader *plain = loader_create(d, &cfg);
    loader_fill(plain, b, 0, 2);
    float ev[3072];
    augment_eval(ev, d->test.pixels + (size_t)d->eval_test.index[130] * 3072, d);
    CHECK(b->y[2] == d->test.labels[130] && memcmp(ev, b->x + 2 * 3072, sizeof ev) == 0, "unshuffled eval batch order");
    loader_free(plain);
    batch_free(b);
    loader_free(L);
}

/* Same (seed, epoch, step) on 1 and 2 threads, with and without prefetch, after a seek: same bytes. */
static void test_determinism_and_resume(const Dataset *d) {
    LoaderConfig one = {.mode = LOADER_SEARCH_PAIRS, .items = &d->search_train, .partners = &d->search_valid, .batch = 64,
                        .shuffle = 1, .seed = 11, .threads = 1, .prefetch = 0};
    LoaderConfig two = one;
    two.threads = 2, two.prefetch = 1;
    Loader *a = loader_create(d, &one), *b = loader_create(d, &two);
    Batch *ref = batch_create(a);
    int bad = 0, steps = loader_steps(a);
    for (int k = 0; k < steps + 3; k++) { /* crosses into epoch 1 */
        const Batch *x = loader_next(a), *y = loader_next(b);
        bad += !same_batch(x, y, 3072) || x->epoch != k / steps || x->step != k % steps;
    }
    CHECK(bad == 0, "1 thread vs 2 threads + prefetch: %d batches differ", bad);
    int e, s;
    loader_tell(b, &e, &s);
    CHECK(e == 1 && s == 3, "tell says (%d, %d)", e, s);
    const Batch *next_b = loader_next(b);
    loader_fill(a, ref, 1, 3);
    CHECK(same_batch(ref, next_b, 3072), "loader_next after a wrap differs from loader_fill(1, 3)");
    Loader *resumed = loader_create(d, &two);
    loader_seek(resumed, 1, 4);
    loader_fill(a, ref, 1, 4);
    CHECK(same_batch(ref, loader_next(resumed), 3072), "resumed loader differs at (1, 4)");
    loader_seek(b, 0, 0);
    loader_fill(a, ref, 0, 0);
    CHECK(same_batch(ref, loader_next(b), 3072), "seek back to (0, 0) differs");
    batch_free(ref);
    loader_free(a), loader_free(b), loader_free(resumed);
}

int main(void) {
    Dataset *d = dataset_open_default();
    test_augment_exact(d);
    test_pairing_exact(d);
    test_epoch_shape(d);
    test_shuffle(d);
    test_determinism_and_resume(d);
    dataset_free(d);
    TEST_EXIT();
}
