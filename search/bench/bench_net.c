/*
 * bench_net.c: `supernet bench --mode darts|gdas|discrete|eval`: full training steps of the default
 * supernet (C = 16, N = 5, CIFAR-sized synthetic batches) after a warm-up: forward, backward and the
 * SGD update of every weight (momentum 0.9, Nesterov, weight decay 5e-4), which is what the PyTorch
 * peer (shared/peer/torch_supernet.py) times in its modes darts, gdas and single:
 *   darts     every op of every edge, softmax(alpha) weights, alpha's gradient computed
 *   gdas      one Gumbel hard sample per step (tau 10), alpha's gradient through the straight-through
 *   discrete  one uniformly random cell per step (the peer's `single`)
 *   eval      evaluation forward of one cell (--arch, default all nor_conv_3x3), no gradients
 *   train     training steps of the one-cell network of --arch (supernet train's network: only the
 *             cell's weights, affine cell BNs; the peer's `fixed`, which keeps the whole supernet)
 * Reports images/s, ms/step, the parameter count, the peak resident memory, and the effective
 * GFLOP/s (2 x multiply-adds of convolutions and the classifier; training counts 3 passes: forward,
 * backward-data, backward-weights). --profile adds the time per kind of kernel (oneDNN primitives and
 * the engine's own node passes, BN statistics and ReLU).
 *
 * Under mpirun (K ranks) the steps are a data-parallel search's: each rank holds its 1/K of the batch,
 * batch norm is synchronised and the gradients are summed in one allreduce per step, as
 * search/strategies do it; images/s counts the whole batch, and --profile adds the time, calls and
 * bytes of both kinds of allreduce.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "arch.h"
#include "bench/bench.h"
#include "cli/cli.h"
#include "common.h"
#include "dist/dist.h"
#include "optim.h"
#include "profile.h"
#include "softmax.h"
#include "strategies/strategy.h" /* search_sum_grads: the search's own gradient sum */
#include "supernet.h"

/* The timed network: the default supernet (C = 16, N = 5), or its one-cell network, on CIFAR-sized images. */
enum { NET_CHANNELS = 16, NET_CELLS = 5, NET_CLASSES = 10, IMAGE_CHANNELS = 3, IMAGE_SIZE = 32 };
enum { N_ALPHA = ARCH_N_EDGES * ARCH_N_OPS };
enum { WARMUP_STEPS = 2 };                     /* untimed: oneDNN plans, first touch of the buffers */
enum { BENCH_SEED = 1, BENCH_RNG_STREAM = 7 }; /* the weights; the synthetic batch, alpha and the cells */
#define GDAS_TAU 10.0                          /* tau_max, the temperature GDAS starts with */
#define ALPHA_INIT_SCALE 1e-3                  /* alpha = 1e-3 N(0, 1), as a search starts */
/* Effective FLOPs: 2 per multiply-add; a training step makes 3 passes over them (forward,
 * backward-data, backward-weights), an evaluation 1. */
enum { FLOPS_PER_MAC = 2, TRAIN_PASSES = 3 };
/* The search's weight SGD (config.c defaults), at the first epoch's learning rate. */
static const SgdConfig BENCH_SGD = {.lr = 0.025, .momentum = 0.9, .weight_decay = 5e-4, .nesterov = 1};

/* Time, calls and bytes of one kind of allreduce (under mpirun). */
typedef struct {
    double seconds, bytes;
    long calls;
} ReduceCost;

/* Static: the BN sum is a plain callback of the network, with no context of its own. */
static ReduceCost bn_reduce, grad_reduce;

static void timed_bn_sum(double *values, size_t n) {
    double t0 = sn_now();
    dist_sum_f64(values, n);
    bn_reduce.seconds += sn_now() - t0, bn_reduce.bytes += (double)n * sizeof(double), bn_reduce.calls++;
}

typedef struct {
    Supernet *net;
    float *images, *momentum; /* images and labels: this rank's share of the batch */
    int32_t *labels;
    float alpha[N_ALPHA], w[N_ALPHA], dw[N_ALPHA], dalpha[N_ALPHA], gumbel[N_ALPHA];
    Rng rng;
    int share, step; /* share: this rank's images of the batch (all of it in one process) */
    Arch eval_arch;
} Bench;

/* Forward multiply-adds per image: of the cell, or for DARTS of every op (cell costs add up per op). */
static int64_t forward_macs(const char *mode, const Arch *arch) {
    if (strcmp(mode, "darts") != 0) return arch_cost(arch, NET_CLASSES, IMAGE_SIZE).macs;
    Arch all3, all1, none;
    memset(&all3, OP_CONV3, sizeof all3), memset(&all1, OP_CONV1, sizeof all1), memset(&none, OP_NONE, sizeof none);
    return arch_cost(&all3, NET_CLASSES, IMAGE_SIZE).macs + arch_cost(&all1, NET_CLASSES, IMAGE_SIZE).macs -
           arch_cost(&none, NET_CLASSES, IMAGE_SIZE).macs;
}

/* The gradients of the step summed over the ranks: the weights', and dL/dW when there is one. */
static void sum_gradients(Bench *b, float *dw) {
    double t0 = sn_now();
    search_sum_grads(b->net, 1, dw, N_ALPHA);
    grad_reduce.seconds += sn_now() - t0, grad_reduce.calls++;
    grad_reduce.bytes += (double)(supernet_weights_floats(b->net) + (dw ? N_ALPHA : 0)) * sizeof(float);
}

static void sgd_update(Bench *b) {
    sgd_step(supernet_weights(b->net), b->momentum, supernet_grads(b->net), supernet_weights_floats(b->net), BENCH_SGD,
             ++b->step);
}

/* One timed step; returns the forward multiply-adds per image of the cell it ran. */
static int64_t run_step(Bench *b, const char *mode) {
    Arch arch;
    NetSelection sel;
    if (strcmp(mode, "eval") == 0) {
        supernet_evaluate(b->net, b->images, b->labels, b->share, (NetSelection){&b->eval_arch, NULL}, NULL, NULL);
        return forward_macs(mode, &b->eval_arch);
    }
    if (strcmp(mode, "darts") == 0) {
        softmax_forward(b->w, b->alpha, ARCH_N_EDGES, ARCH_N_OPS);
        sel = (NetSelection){NULL, b->w};
    } else if (strcmp(mode, "gdas") == 0) {
        float probs[N_ALPHA];
        int choice[ARCH_N_EDGES];
        gdas_sample(b->w, probs, b->gumbel, choice, b->alpha, ARCH_N_EDGES, ARCH_N_OPS, GDAS_TAU, &b->rng);
        for (int e = 0; e < ARCH_N_EDGES; e++) arch.op[e] = (uint8_t)choice[e];
        sel = (NetSelection){&arch, b->w};
    } else if (strcmp(mode, "train") == 0) {
        arch = b->eval_arch;
        sel = (NetSelection){&arch, NULL};
    } else {
        for (int e = 0; e < ARCH_N_EDGES; e++) arch.op[e] = (uint8_t)rng_below(&b->rng, ARCH_N_OPS);
        sel = (NetSelection){&arch, NULL};
    }
    supernet_forward(b->net, b->images, b->labels, b->share, sel, NULL);
    supernet_backward(b->net, sel.edge_weights ? b->dw : NULL);
    if (dist_size() > 1) sum_gradients(b, sel.edge_weights ? b->dw : NULL);
    sgd_update(b);
    return forward_macs(mode, sel.arch);
}

static void setup(Bench *b, const BenchArgs *args) {
    int darts = strcmp(args->mode, "darts") == 0;
    int eval = strcmp(args->mode, "eval") == 0; /* evaluation needs no training buffers */
    int one_cell = strcmp(args->mode, "train") == 0;
    int ranks = dist_size(), share = args->batch / ranks;
    if (args->batch % ranks)
        sn_die(SN_EXIT_USAGE, "bench --batch %d is not divisible by the %d MPI ranks", args->batch, ranks);
    SupernetConfig cfg = {.channels = NET_CHANNELS, .cells = NET_CELLS, .classes = NET_CLASSES,
                          .in_channels = IMAGE_CHANNELS, .image_size = IMAGE_SIZE, .max_batch = eval ? 1 : share,
                          .max_eval_batch = share, .darts = darts, .track_running_stats = 0, .seed = BENCH_SEED,
                          .direct_conv = args->direct_conv,
                          .bf16 = supernet_precision_is_bf16(args->precision) == 1};
    char err[160];
    memset(b, 0, sizeof *b);
    if (arch_parse(args->arch, &b->eval_arch, err, sizeof err) != 0) {
        int code = arch_code_parse(args->arch);
        if (code < 0) sn_die(SN_EXIT_USAGE, "bench --arch: %s", err);
        b->eval_arch = arch_from_code(code);
    }
    cfg.single_cell = one_cell, cfg.cell = b->eval_arch;
    b->net = supernet_create(&cfg);
    if (ranks > 1) supernet_set_bn_sum(b->net, timed_bn_sum), supernet_set_global_batch(b->net, args->batch);
    b->share = share;
    rng_seed(&b->rng, BENCH_SEED, BENCH_RNG_STREAM);
    size_t image = (size_t)IMAGE_CHANNELS * IMAGE_SIZE * IMAGE_SIZE, pixels = (size_t)args->batch * image;
    b->images = sn_alloc(pixels * sizeof(float));
    b->labels = sn_alloc((size_t)args->batch * sizeof(int32_t));
    b->momentum = sn_alloc(supernet_weights_floats(b->net) * sizeof(float));
    for (size_t i = 0; i < pixels; i++) b->images[i] = (float)rng_normal(&b->rng);
    for (int i = 0; i < args->batch; i++) b->labels[i] = (int32_t)rng_below(&b->rng, NET_CLASSES);
    int first = dist_rank() * share; /* every rank made the whole batch; it keeps its share */
    memmove(b->images, b->images + (size_t)first * image, (size_t)share * image * sizeof(float));
    memmove(b->labels, b->labels + first, (size_t)share * sizeof(int32_t));
    for (int i = 0; i < N_ALPHA; i++) b->alpha[i] = (float)(ALPHA_INIT_SCALE * rng_normal(&b->rng));
}

static void print_reduce(const char *what, const ReduceCost *c, int steps, double seconds) {
    printf("%-28s %10.2f %7.1f%% %8.0f  %.0f bytes/step\n", what, 1e3 * c->seconds / steps, 100 * c->seconds / seconds,
           (double)c->calls / steps, c->bytes / steps);
}

static void print_profile(const BenchArgs *args, double seconds) {
    Profile p = profile_get();
    double profiled = 0;
    printf("\n%-28s %10s %8s %8s\n", "time per step", "ms", "share", "calls");
    for (int s = 0; s < PROF_SLOTS; s++) {
        profiled += p.seconds[s];
        printf("%-28s %10.2f %7.1f%% %8.0f\n", PROFILE_SLOT_NAMES[s], 1e3 * p.seconds[s] / args->steps,
               100 * p.seconds[s] / seconds, (double)p.calls[s] / args->steps);
    }
    if (dist_size() > 1) {
        print_reduce("allreduce, batch norm", &bn_reduce, args->steps, seconds);
        print_reduce("allreduce, gradients", &grad_reduce, args->steps, seconds);
        profiled += bn_reduce.seconds + grad_reduce.seconds;
    }
    printf("%-28s %10.2f %7.1f%%\n", "everything else", 1e3 * (seconds - profiled) / args->steps,
           100 * (seconds - profiled) / seconds);
}

/* The figures of the timed steps; under mpirun the whole job's (the batch of all ranks), rank 0's memory. */
static void report(const BenchArgs *args, Bench *b, double seconds, double macs) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double images_per_s = (double)args->batch * args->steps / seconds, peak_mb = ru.ru_maxrss / 1024.0; /* ru_maxrss: KiB */
    double passes = strcmp(args->mode, "eval") ? TRAIN_PASSES : 1;
    double gflops = FLOPS_PER_MAC * passes * macs * args->batch / seconds * 1e-9;
    if (args->json)
        printf("{\"mode\":\"%s\",\"precision\":\"%s\",\"batch\":%d,\"steps\":%d,\"threads\":%d,\"ranks\":%d,\"images_per_s\":%.2f,"
               "\"ms_per_step\":%.2f,\"weights\":%zu,\"peak_rss_mb\":%.1f,\"gflops\":%.1f}\n",
               args->mode, args->precision, args->batch, args->steps, args->threads, dist_size(), images_per_s, 1e3 * seconds / args->steps,
               supernet_num_weights(b->net), peak_mb, gflops);
    else
        printf("supernet %s (%s): batch %d, %d threads x %d rank(s): %.1f images/s, %.1f ms/step, %zu weights, peak RSS %.0f MB, "
               "%.1f GFLOP/s effective\n",
               args->mode, args->precision, args->batch, args->threads, dist_size(), images_per_s, 1e3 * seconds / args->steps,
               supernet_num_weights(b->net), peak_mb, gflops);
    if (args->profile && !args->json) print_profile(args, seconds);
}

void bench_net(const BenchArgs *args) {
    Bench b;
    setup(&b, args);
    for (int s = 0; s < WARMUP_STEPS; s++) run_step(&b, args->mode);
    bn_reduce = grad_reduce = (ReduceCost){0};
    profile_reset();
    profile_enable(args->profile);
    double macs = 0, t0 = sn_now();
    for (int s = 0; s < args->steps; s++) macs += (double)run_step(&b, args->mode);
    double seconds = sn_now() - t0;
    profile_enable(0);
    if (dist_is_root()) report(args, &b, seconds, macs);
    sn_free(b.images), sn_free(b.labels), sn_free(b.momentum);
    supernet_free(b.net);
}
