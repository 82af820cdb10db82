/*
 * loop — the one event loop every tool runs.
 *
 * File descriptors are polled with ppoll (nanosecond timeouts); timers are
 * monotonic deadlines keyed by (callback, arg) so adding the same pair
 * again re-arms it instead of stacking a second one; signals arrive through
 * a signalfd as ordinary events, so no work ever happens in a signal
 * handler.  Callbacks may add and cancel fds and timers freely.
 */
#ifndef ND_LOOP_H
#define ND_LOOP_H

#include <stdbool.h>

#include "clock.h"

struct loop;

typedef void (*loop_fd_fn)(void *arg, int fd, short revents);
typedef void (*loop_timer_fn)(void *arg);
typedef void (*loop_signal_fn)(void *arg, int signo);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watch fd for events (POLLIN, POLLERR is always reported); a second call
 * for the same fd replaces its callback and events. */
int loop_fd(struct loop *l, int fd, short events, loop_fd_fn cb, void *arg);
void loop_fd_remove(struct loop *l, int fd);

/* Run cb(arg) once, delay ns from now / at monotonic time when.  Re-arms
 * an existing (cb, arg) timer. */
int loop_timer(struct loop *l, nsec_t delay, loop_timer_fn cb, void *arg);
int loop_timer_at(struct loop *l, nsec_t when, loop_timer_fn cb, void *arg);
void loop_cancel(struct loop *l, loop_timer_fn cb, void *arg);
bool loop_pending(const struct loop *l, loop_timer_fn cb, void *arg);

/* Deliver signo as an event (the signal is blocked and read from a
 * signalfd).  Call before starting threads or children. */
int loop_signal(struct loop *l, int signo, loop_signal_fn cb, void *arg);

/* Make loop_run() return status after the current callback. */
void loop_exit(struct loop *l, int status);
/* Run until loop_exit(), or until there is nothing left to wait for
 * (then returns 0).  Returns -1 on a poll failure. */
int loop_run(struct loop *l);

#endif
