/*
 * common.h: the base every module stands on: error handling, checked allocation, a seeded RNG and a
 * wall-clock timer. No module below search/ prints anything except through sn_fatal / sn_die.
 *
 * Two kinds of failure:
 *   - sn_die(status, fmt, ...): a user-facing error (bad flag, bad file). One line on stderr, exit(status).
 *   - SN_ASSERT(cond, fmt, ...): a broken invariant inside the engine. Prints file:line and exits 1.
 */
#ifndef SN_COMMON_H
#define SN_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

/* Exit status for anything the user got wrong (flags, files, arch strings). */
#define SN_EXIT_USAGE 2

/* Below this many floats an OpenMP parallel region over a tensor costs more than it saves. */
#define SN_PARALLEL_MIN 32768

noreturn void sn_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
noreturn void sn_fatal(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Called by every error exit before it prints (sn_die_begin): a data-parallel run installs one so that
 * an error every process meets is printed once (search/dist/dist.h). NULL: none (the default). Returns the hook it replaces. */
typedef void (*SnDieHook)(void);
SnDieHook sn_set_die_hook(SnDieHook hook);
/* Flushes stdout and runs the die hook: the start of every error exit, also outside this file. */
void sn_die_begin(void);
/* Prints an error message's text to stderr with its control bytes escaped (\n, \x1b): words from the
 * user's input never break the one-line message or send terminal sequences. */
void sn_print_error_text(const char *fmt, va_list ap);

#define SN_ASSERT(cond, ...)                                                   \
    do {                                                                       \
        if (!(cond)) sn_fatal(__FILE__, __LINE__, __VA_ARGS__);                \
    } while (0)

/* Checked allocation. Memory from sn_alloc is 64-byte aligned (one cache line, one AVX-512 vector),
 * zero-filled, and released with sn_free. */
void *sn_alloc(size_t bytes);
void sn_free(void *p);
char *sn_strdup(const char *s);

/* Seconds since an arbitrary fixed point, monotonic. */
double sn_now(void);

/* ---------------------------------------------------------------------------------------------
 * RNG: xoshiro256** seeded through splitmix64. Every random source in the engine owns one Rng,
 * seeded from (seed, stream) so that independent streams (data order, augmentation, Gumbel, arch
 * sampling, ...) never share state and results do not depend on the number of threads.
 */
typedef struct {
    uint64_t s[4];
} Rng;

void rng_seed(Rng *rng, uint64_t seed, uint64_t stream);
/* The first draw of stream (seed, stream): the seed of a component that seeds streams of its own
 * (a loader, the ENAS controller). */
uint64_t rng_stream_seed(uint64_t seed, uint64_t stream);
uint64_t rng_u64(Rng *rng);
double rng_uniform(Rng *rng);           /* [0, 1) with 53 random bits */
uint32_t rng_below(Rng *rng, uint32_t n); /* uniform in [0, n), unbiased; n > 0 */
double rng_normal(Rng *rng);            /* N(0, 1), Box-Muller */

#endif
