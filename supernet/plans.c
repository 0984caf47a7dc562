/* plans.c: the oneDNN plans of each batch size the network has seen, created on first use. */
#include "common.h"
#include "internal.h"

static void create_plan_set(Supernet *net, PlanSet *ps, int batch) {
    const SupernetConfig *cfg = &net->cfg;
    int hw0 = cfg->image_size, c0 = net->stage_channels[0], direct = cfg->direct_conv, bf16 = cfg->bf16;
    ps->batch = batch;
    ps->stem = conv_plan_create((ConvShape){.n = batch, .c_in = cfg->in_channels, .c_out = c0, .h = hw0, .w = hw0,
                                            .kernel = 3, .stride = 1, .pad = 1, .plain_input = 1, .direct_only = direct});
    ps->stem_bn = bn_plan_create((Shape4){.n = batch, .c = c0, .h = hw0, .w = hw0}, 1);
    for (int s = 0; s < N_STAGES; s++) {
        int c = net->stage_channels[s], hw = net->stage_size[s];
        ps->stage[s].conv[0] = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = c, .h = hw, .w = hw,
                                                            .kernel = 1, .stride = 1, .pad = 0, .direct_only = direct, .bf16 = bf16});
        ps->stage[s].conv[1] = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = c, .h = hw, .w = hw,
                                                            .kernel = 3, .stride = 1, .pad = 1, .direct_only = direct, .bf16 = bf16});
        /* affine with gamma 1, beta 0: the same output, and backward's d gamma = sum(dy * BN output) per
         * channel is the edge weight's gradient for free (cell.c) */
        ps->stage[s].bn = bn_plan_create((Shape4){.n = batch, .c = c, .h = hw, .w = hw}, 1);
    }
    for (int r = 0; r < N_REDUCE; r++) {
        int c = net->stage_channels[r], hw = net->stage_size[r];
        ps->reduce[r].conv_a = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = 2 * c, .h = hw, .w = hw,
                                                            .kernel = 3, .stride = 2, .pad = 1, .direct_only = direct, .bf16 = bf16});
        ps->reduce[r].conv_b = conv_plan_create((ConvShape){.n = batch, .c_in = 2 * c, .c_out = 2 * c, .h = hw / 2,
                                                            .w = hw / 2, .kernel = 3, .stride = 1, .pad = 1,
                                                            .direct_only = direct, .bf16 = bf16});
        ps->reduce[r].pool = pool_plan_create((Shape4){.n = batch, .c = c, .h = hw, .w = hw}, 2, 2, 0);
        ps->reduce[r].shortcut = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = 2 * c, .h = hw / 2,
                                                              .w = hw / 2, .kernel = 1, .stride = 1, .pad = 0,
                                                              .direct_only = direct, .bf16 = bf16});
        ps->reduce[r].bn = bn_plan_create((Shape4){.n = batch, .c = 2 * c, .h = hw / 2, .w = hw / 2}, 1);
    }
    int last = N_STAGES - 1;
    ps->head_bn = bn_plan_create((Shape4){.n = batch, .c = net->stage_channels[last], .h = net->stage_size[last],
                                          .w = net->stage_size[last]}, 1);
}

const PlanSet *plans_for_batch(Supernet *net, int batch) {
    for (int i = 0; i < net->num_plan_sets; i++)
        if (net->plans[i].batch == batch) return &net->plans[i];
    SN_ASSERT(net->num_plan_sets < MAX_PLAN_SETS, "more than %d distinct batch sizes", MAX_PLAN_SETS);
    PlanSet *ps = &net->plans[net->num_plan_sets++];
    create_plan_set(net, ps, batch);
    return ps;
}

static void free_plan_set(PlanSet *ps) {
    conv_plan_free(ps->stem);
    bn_plan_free(ps->stem_bn);
    for (int s = 0; s < N_STAGES; s++) {
        conv_plan_free(ps->stage[s].conv[0]);
        conv_plan_free(ps->stage[s].conv[1]);
        bn_plan_free(ps->stage[s].bn);
    }
    for (int r = 0; r < N_REDUCE; r++) {
        conv_plan_free(ps->reduce[r].conv_a);
        conv_plan_free(ps->reduce[r].conv_b);
        conv_plan_free(ps->reduce[r].shortcut);
        pool_plan_free(ps->reduce[r].pool);
        bn_plan_free(ps->reduce[r].bn);
    }
    bn_plan_free(ps->head_bn);
}

void plans_free(Supernet *net) {
    for (int i = 0; i < net->num_plan_sets; i++) free_plan_set(&net->plans[i]);
    net->num_plan_sets = 0;
}
