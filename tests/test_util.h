/*
 * test_util.h: assertions for the CTest executables. A failed CHECK prints file:line and the
 * message and counts a failure; TEST_EXIT() at the end of main returns non-zero if any failed,
 * so a test can report every broken case in one run instead of stopping at the first.
 */
#ifndef SN_TEST_UTIL_H
#define SN_TEST_UTIL_H

#include <math.h>
#include <stdio.h>

static int test_failures = 0;
static int test_checks = 0;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        test_checks++;                                                           \
        if (!(cond)) {                                                           \
            test_failures++;                                                     \
            fprintf(stderr, "FAIL %s:%d: (%s) ", __FILE__, __LINE__, #cond);     \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

/* |a - b| <= atol + rtol * |b| */
#define CHECK_CLOSE(a, b, atol, rtol, what)                                                     \
    do {                                                                                        \
        double a_ = (double)(a), b_ = (double)(b);                                              \
        CHECK(fabs(a_ - b_) <= (atol) + (rtol) * fabs(b_), "%s: got %.9g, expected %.9g", what, a_, b_); \
    } while (0)

#define TEST_EXIT()                                                                         \
    do {                                                                                    \
        printf("%s: %d checks, %d failed\n", __FILE__, test_checks, test_failures);         \
        return test_failures ? 1 : (test_checks ? 0 : 1);                                   \
    } while (0)

#endif
