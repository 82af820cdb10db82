/*
 * clock — time as int64 nanoseconds.
 *
 * Intervals use CLOCK_MONOTONIC; RTTs use kernel timestamps, which are
 * CLOCK_REALTIME, so a measurement pairs a realtime send stamp with a
 * realtime receive stamp and never mixes the two clocks.
 */
#ifndef ND_CLOCK_H
#define ND_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NS_PER_US 1000LL
#define NS_PER_MS 1000000LL
#define NS_PER_S  1000000000LL

typedef int64_t nsec_t;

nsec_t clock_mono(void);            /* CLOCK_MONOTONIC now */
nsec_t clock_real(void);            /* CLOCK_REALTIME now */
nsec_t clock_from_ts(const struct timespec *ts);
struct timespec clock_to_ts(nsec_t ns);

#endif
