/* profile.c: the per-kind time accumulators (see profile.h). */
#include "profile.h"

#include <string.h>

#include "common.h"

static int profiling;
static Profile profile;

const char *const PROFILE_SLOT_NAMES[PROF_SLOTS] = {
    "conv forward", "conv backward-data", "conv backward-weights", "batch norm forward", "batch norm backward",
    "avg pool forward", "avg pool backward", "reorder (weights)", "BN statistics (cells)", "node sums",
    "node gradients", "relu"};

void profile_enable(int on) { profiling = on; }
void profile_reset(void) { memset(&profile, 0, sizeof profile); }
Profile profile_get(void) { return profile; }

double profile_start(void) { return profiling ? sn_now() : 0.0; }

void profile_stop(ProfileSlot slot, double start) {
    if (!profiling) return;
    profile.seconds[slot] += sn_now() - start;
    profile.calls[slot]++;
}
