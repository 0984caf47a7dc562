/*
 * profile.h: time per kind of kernel, for the breakdown of `supernet bench --profile`. Off by default:
 * the clock reads cost about 50 ns per call. Kernels bracket their work with profile_start and
 * profile_stop; only the calling thread's time between the two counts (the kernels run one at a time).
 */
#ifndef SN_PROFILE_H
#define SN_PROFILE_H

typedef enum {
    PROF_CONV_FORWARD, PROF_CONV_BACKWARD_DATA, PROF_CONV_BACKWARD_WEIGHTS, PROF_BN_FORWARD, PROF_BN_BACKWARD,
    PROF_POOL_FORWARD, PROF_POOL_BACKWARD, PROF_REORDER, /* oneDNN primitives */
    PROF_BN_STATS, PROF_NODE_SUM, PROF_NODE_GRAD, PROF_RELU, /* the engine's own kernels */
    PROF_SLOTS
} ProfileSlot;

typedef struct {
    double seconds[PROF_SLOTS];
    long calls[PROF_SLOTS];
} Profile;

extern const char *const PROFILE_SLOT_NAMES[PROF_SLOTS];

void profile_enable(int on);
void profile_reset(void);
Profile profile_get(void);

double profile_start(void);                  /* a start time, or 0 when profiling is off */
void profile_stop(ProfileSlot slot, double start); /* adds the time since start to slot */

#endif
