/*
 * clock — monotonic and realtime clocks in nanoseconds.
 */
#include "clock.h"

static nsec_t now(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return clock_from_ts(&ts);
}

nsec_t clock_mono(void) { return now(CLOCK_MONOTONIC); }
nsec_t clock_real(void) { return now(CLOCK_REALTIME); }

nsec_t clock_from_ts(const struct timespec *ts)
{
	/* Saturate instead of overflowing: a timestamp from a control
	 * message is data, and data can be absurd. */
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS_PER_S)
		return 0;
	if (ts->tv_sec >= INT64_MAX / NS_PER_S)
		return INT64_MAX;
	return (nsec_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

struct timespec clock_to_ts(nsec_t ns)
{
	if (ns < 0)
		ns = 0;
	return (struct timespec){ .tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S) };
}
