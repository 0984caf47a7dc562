/* splits.c: subsets by range, by official bitmap, or by seeded permutation (see splits.h). */
#include "splits.h"

#include <string.h>

#include "common.h"
#include "sha256.h"

/* Stream of the split permutation: distinct from every stream the batch iterator derives. */
#define SPLIT_STREAM 0x5350u

static void subset_alloc(Subset *s, const ImageArray *images, int n) {
    s->images = images;
    s->n = n;
    s->index = sn_alloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
}

void subset_range(Subset *s, const ImageArray *images, int begin, int end) {
    subset_alloc(s, images, end - begin);
    for (int i = begin; i < end; i++) s->index[i - begin] = i;
}

/* Collects, in order, the images whose mark equals `want`: the lists come out sorted. */
static void collect_marked(Subset *s, const ImageArray *images, const uint8_t *mark, uint8_t want) {
    int n = 0;
    for (int i = 0; i < images->n; i++) n += mark[i] == want;
    subset_alloc(s, images, n);
    for (int i = 0, k = 0; i < images->n; i++)
        if (mark[i] == want) s->index[k++] = i;
}

void subset_split_bits(Subset *clear, Subset *set, const ImageArray *images, const uint8_t *bits, int nbits) {
    SN_ASSERT(images->n == nbits, "split bitmap of %d images for an array of %d", nbits, images->n);
    uint8_t *mark = sn_alloc((size_t)nbits);
    for (int i = 0; i < nbits; i++) mark[i] = (bits[i / 8] >> (i % 8)) & 1;
    collect_marked(clear, images, mark, 0);
    collect_marked(set, images, mark, 1);
    sn_free(mark);
}

void subset_split_seeded(Subset *first, Subset *second, const ImageArray *images, uint64_t seed) {
    int n = images->n;
    int32_t *perm = sn_alloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
    uint8_t *mark = sn_alloc((size_t)(n > 0 ? n : 1));
    Rng rng;
    rng_seed(&rng, seed, SPLIT_STREAM);
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) { /* Fisher-Yates */
        int j = (int)rng_below(&rng, (uint32_t)i + 1);
        int32_t t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    for (int i = 0; i < n / 2; i++) mark[perm[i]] = 1;
    collect_marked(first, images, mark, 0);
    collect_marked(second, images, mark, 1);
    sn_free(perm);
    sn_free(mark);
}

void subset_digest(const Subset *s, char out[13]) {
    Sha256 h;
    uint8_t d[32];
    sha256_init(&h);
    for (int i = 0; i < s->n; i++) {
        uint8_t le[4] = {(uint8_t)s->index[i], (uint8_t)(s->index[i] >> 8), (uint8_t)(s->index[i] >> 16),
                         (uint8_t)(s->index[i] >> 24)};
        sha256_update(&h, le, 4);
    }
    sha256_final(&h, d);
    for (int i = 0; i < 6; i++) {
        static const char hex[] = "0123456789abcdef";
        out[2 * i] = hex[d[i] >> 4], out[2 * i + 1] = hex[d[i] & 15];
    }
    out[12] = '\0';
}

void subset_free(Subset *s) {
    sn_free(s->index);
    s->index = NULL, s->n = 0;
}
