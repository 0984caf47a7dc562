/*
 * test_supernet_params.c: the default network's shape and initialisation.
 *   - exactly 1,686,106 weights for C = 16, N = 5, 10 classes (REFERENCE 1.6: the ICLR-era count, no
 *     conv bias in cells), of which 1,612,800 = 15 cells x 60 C^2 in the cells; plus 30 alphas outside;
 *   - tensor names are unique; conv and linear weights lie in U(-1/sqrt(fan_in), 1/sqrt(fan_in)) and
 *     fill it (PyTorch's default init); BN gamma 1, beta 0, running mean 0, running variance 1;
 *   - the same seed gives the same weights; another seed different ones.
 */
#include <math.h>
#include <string.h>

#include "common.h"
#include "supernet.h"
#include "test_util.h"

static Supernet *default_net(uint64_t seed) {
    SupernetConfig cfg = {.channels = 16, .cells = 5, .classes = 10, .in_channels = 3, .image_size = 32, .max_batch = 1,
                          .max_eval_batch = 1, .darts = 0, .track_running_stats = 1, .seed = seed, .direct_conv = 0};
    return supernet_create(&cfg);
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void check_init(Supernet *net) {
    float *buf = sn_alloc(64 * 64 * 9 * sizeof(float));
    size_t cell_weights = 0;
    for (int i = 0; i < supernet_num_tensors(net); i++) {
        const TensorInfo *t = supernet_tensor(net, i);
        CHECK(supernet_find_tensor(net, t->name) == i, "tensor name %s is not unique", t->name);
        supernet_tensor_get(net, i, buf);
        double lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < t->count; k++) lo = fmin(lo, buf[k]), hi = fmax(hi, buf[k]);
        if (strncmp(t->name, "cells.", 6) == 0 && t->kind == TENSOR_WEIGHT) cell_weights += t->count;
        int bn = strstr(t->name, "bn") != NULL;
        if (bn && ends_with(t->name, ".weight")) CHECK(lo == 1 && hi == 1, "%s: gamma not 1", t->name);
        else if (bn && ends_with(t->name, ".bias")) CHECK(lo == 0 && hi == 0, "%s: beta not 0", t->name);
        else if (ends_with(t->name, "running_mean")) CHECK(lo == 0 && hi == 0, "%s not 0", t->name);
        else if (ends_with(t->name, "running_var")) CHECK(lo == 1 && hi == 1, "%s not 1", t->name);
        else {
            int fan_in = t->ndims == 4 ? t->dims[1] * t->dims[2] * t->dims[3] : 64; /* classifier: 64 inputs */
            double bound = (float)(1.0 / sqrt((double)fan_in)); /* the values are float-rounded too */
            CHECK(lo >= -bound && hi <= bound, "%s: values in [%g, %g], bound %g", t->name, lo, hi, bound);
            if (t->count >= 100) CHECK(lo < -0.9 * bound && hi > 0.9 * bound, "%s: [%g, %g] does not fill +-%g", t->name, lo, hi, bound);
        }
    }
    CHECK(cell_weights == 1612800, "cell weights %zu, expected 15 x 60 C^2 = 1,612,800", cell_weights);
    sn_free(buf);
}

int main(void) {
    Supernet *a = default_net(7), *b = default_net(7), *c = default_net(8);
    CHECK(supernet_num_weights(a) == 1686106, "weights: %zu, expected 1,686,106", supernet_num_weights(a));
    check_init(a);
    size_t n = supernet_weights_floats(a);
    CHECK(memcmp(supernet_weights(a), supernet_weights(b), n * sizeof(float)) == 0, "same seed, different weights");
    CHECK(memcmp(supernet_weights(a), supernet_weights(c), n * sizeof(float)) != 0, "different seeds, same weights");
    supernet_free(a), supernet_free(b), supernet_free(c);
    TEST_EXIT();
}
