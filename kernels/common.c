/* common.c: errors, allocation, timer and RNG (see common.h). */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static SnDieHook die_hook;

SnDieHook sn_set_die_hook(SnDieHook hook) {
    SnDieHook previous = die_hook;
    die_hook = hook;
    return previous;
}

void sn_die_begin(void) {
    fflush(stdout);
    if (die_hook) die_hook();
}

void sn_print_error_text(const char *fmt, va_list ap) {
    char text[4096];
    vsnprintf(text, sizeof text, fmt, ap);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n') fputs("\\n", stderr);
        else if (*p < 0x20 || *p == 0x7f) fprintf(stderr, "\\x%02x", *p);
        else fputc(*p, stderr);
    }
}

void sn_die(int status, const char *fmt, ...) {
    va_list ap;
    sn_die_begin();
    fputs("supernet: ", stderr);
    va_start(ap, fmt);
    sn_print_error_text(fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

void sn_fatal(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    sn_die_begin();
    fprintf(stderr, "supernet: internal error at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

void *sn_alloc(size_t bytes) {
    size_t rounded = (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, rounded ? rounded : 64);
    if (!p) sn_die(EXIT_FAILURE, "out of memory allocating %zu bytes", bytes);
    memset(p, 0, rounded ? rounded : 64);
    return p;
}

void sn_free(void *p) { free(p); }

char *sn_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = sn_alloc(n);
    memcpy(d, s, n);
    return d;
}

double sn_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---------------------------------------------------------------------------------------------
 * RNG */

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void rng_seed(Rng *rng, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_u64(Rng *rng) {
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rng_stream_seed(uint64_t seed, uint64_t stream) {
    Rng rng;
    rng_seed(&rng, seed, stream);
    return rng_u64(&rng);
}

double rng_uniform(Rng *rng) { return (double)(rng_u64(rng) >> 11) * 0x1.0p-53; }

uint32_t rng_below(Rng *rng, uint32_t n) {
    /* Rejection on the top 32 bits keeps every value exactly equally likely. */
    uint32_t limit = UINT32_MAX - UINT32_MAX % n;
    uint32_t x;
    do x = (uint32_t)(rng_u64(rng) >> 32);
    while (x >= limit);
    return x % n;
}

double rng_normal(Rng *rng) {
    double u1 = 1.0 - rng_uniform(rng); /* (0, 1]: log stays finite */
    double u2 = rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
