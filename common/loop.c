/*
 * loop — ppoll + timers + signalfd (see loop.h).
 *
 * Timers live in a small unsorted array: tools hold a handful (ping: tick,
 * linger; traceroute: one per in-flight window), so a linear scan for the
 * earliest deadline is cheaper and simpler than a heap.  Deleted entries
 * are marked and compacted outside of dispatch so callbacks can add and
 * cancel during a pass.
 */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct fd_watch {
	int fd;
	short events;
	loop_fd_fn cb;
	void *arg;
	bool dead;
};

struct timer {
	nsec_t when;
	loop_timer_fn cb;
	void *arg;
	bool dead;
};

struct sig_watch {
	int signo;
	loop_signal_fn cb;
	void *arg;
};

/* Due timers may run this many passes in a row before the descriptors
 * are polled again (see loop_run). */
#define LOOP_MAX_SKIPPED_POLLS 16

/* One signalfd per loop is enough for every signal a tool handles. */
#define LOOP_MAX_SIGNALS 8

struct loop {
	struct fd_watch *fds;
	size_t nfds, capfds;
	struct timer *timers;
	size_t ntimers, captimers;
	struct sig_watch sigs[LOOP_MAX_SIGNALS];
	size_t nsigs;
	int sigfd;
	sigset_t sigmask;
	bool done;
	int status;
};

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->sigfd = -1;
	sigemptyset(&l->sigmask);
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->sigfd >= 0)
		close(l->sigfd);
	free(l->fds);
	free(l->timers);
	free(l);
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(*arr, ncap * elem);
	if (!n)
		return false;
	*arr = n;
	*cap = ncap;
	return true;
}

int loop_fd(struct loop *l, int fd, short events, loop_fd_fn cb, void *arg)
{
	for (size_t i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd && !l->fds[i].dead) {
			l->fds[i] = (struct fd_watch){ fd, events, cb, arg, false };
			return 0;
		}
	}
	if (!grow((void **)&l->fds, &l->capfds, l->nfds + 1, sizeof(*l->fds))) {
		errno = ENOMEM;
		return -1;
	}
	l->fds[l->nfds++] = (struct fd_watch){ fd, events, cb, arg, false };
	return 0;
}

void loop_fd_remove(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			l->fds[i].dead = true;
}

static struct timer *timer_find(const struct loop *l, loop_timer_fn cb, void *arg)
{
	for (size_t i = 0; i < l->ntimers; i++)
		if (!l->timers[i].dead && l->timers[i].cb == cb && l->timers[i].arg == arg)
			return &l->timers[i];
	return NULL;
}

int loop_timer_at(struct loop *l, nsec_t when, loop_timer_fn cb, void *arg)
{
	struct timer *t = timer_find(l, cb, arg);
	if (t) {
		t->when = when;
		return 0;
	}
	if (!grow((void **)&l->timers, &l->captimers, l->ntimers + 1, sizeof(*l->timers))) {
		errno = ENOMEM;
		return -1;
	}
	l->timers[l->ntimers++] = (struct timer){ when, cb, arg, false };
	return 0;
}

int loop_timer(struct loop *l, nsec_t delay, loop_timer_fn cb, void *arg)
{
	return loop_timer_at(l, clock_mono() + (delay > 0 ? delay : 0), cb, arg);
}

void loop_cancel(struct loop *l, loop_timer_fn cb, void *arg)
{
	struct timer *t = timer_find(l, cb, arg);
	if (t)
		t->dead = true;
}

bool loop_pending(const struct loop *l, loop_timer_fn cb, void *arg)
{
	return timer_find(l, cb, arg) != NULL;
}

int loop_signal(struct loop *l, int signo, loop_signal_fn cb, void *arg)
{
	if (l->nsigs == LOOP_MAX_SIGNALS) {
		errno = ENOSPC;
		return -1;
	}
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) < 0)
		return -1;
	int fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	l->sigfd = fd;
	l->sigs[l->nsigs++] = (struct sig_watch){ signo, cb, arg };
	return 0;
}

void loop_exit(struct loop *l, int status)
{
	l->done = true;
	l->status = status;
}

static void compact(struct loop *l)
{
	size_t j = 0;
	for (size_t i = 0; i < l->nfds; i++)
		if (!l->fds[i].dead)
			l->fds[j++] = l->fds[i];
	l->nfds = j;
	j = 0;
	for (size_t i = 0; i < l->ntimers; i++)
		if (!l->timers[i].dead)
			l->timers[j++] = l->timers[i];
	l->ntimers = j;
}

static void run_timers(struct loop *l)
{
	nsec_t now = clock_mono();
	/* Only timers due now; ones added by callbacks wait for the next pass
	 * (n is fixed), so a timer that re-arms at 0 cannot starve the fds. */
	size_t n = l->ntimers;
	for (size_t i = 0; i < n && !l->done; i++) {
		struct timer *t = &l->timers[i];
		if (t->dead || t->when > now)
			continue;
		t->dead = true;
		loop_timer_fn cb = t->cb;
		void *arg = t->arg;
		cb(arg);
	}
}

static void read_signals(struct loop *l)
{
	struct signalfd_siginfo si;
	while (!l->done && read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		for (size_t i = 0; i < l->nsigs; i++)
			if ((uint32_t)l->sigs[i].signo == si.ssi_signo)
				l->sigs[i].cb(l->sigs[i].arg, (int)si.ssi_signo);
	}
}

static nsec_t earliest(const struct loop *l)
{
	nsec_t first = l->timers[0].when;
	for (size_t i = 1; i < l->ntimers; i++)
		if (!l->timers[i].dead && l->timers[i].when < first)
			first = l->timers[i].when;
	return first;
}

int loop_run(struct loop *l)
{
	struct pollfd *pfd = NULL;
	size_t cap = 0;
	int skipped_polls = 0;
	while (!l->done) {
		compact(l);
		if (!l->nfds && !l->ntimers)
			break;
		/* A timer already due runs without a poll() first — but at
		 * most LOOP_MAX_SKIPPED_POLLS passes in a row, so a timer that
		 * keeps re-arming at 0 (a flood) cannot starve the descriptors
		 * or the signalfd for long. */
		if (skipped_polls < LOOP_MAX_SKIPPED_POLLS && l->ntimers && earliest(l) <= clock_mono()) {
			skipped_polls++;
			run_timers(l);
			continue;
		}
		skipped_polls = 0;
		if (!grow((void **)&pfd, &cap, l->nfds + 1, sizeof(*pfd))) {
			free(pfd);
			return -1;
		}
		size_t n = 0;
		for (size_t i = 0; i < l->nfds; i++)
			pfd[n++] = (struct pollfd){ .fd = l->fds[i].fd, .events = l->fds[i].events };
		if (l->sigfd >= 0)
			pfd[n++] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };

		struct timespec ts, *tsp = NULL;
		if (l->ntimers) {
			nsec_t wait = earliest(l) - clock_mono();
			ts = clock_to_ts(wait > 0 ? wait : 0);
			tsp = &ts;
		}
		int rc = ppoll(pfd, n, tsp, NULL);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			free(pfd);
			return -1;
		}
		size_t nwatch = l->nfds;
		for (size_t i = 0; i < n && rc > 0 && !l->done; i++) {
			if (!pfd[i].revents)
				continue;
			if (l->sigfd >= 0 && pfd[i].fd == l->sigfd && i == n - 1) {
				read_signals(l);
				continue;
			}
			/* Look the watch up again: a callback may have removed it. */
			for (size_t k = 0; k < nwatch; k++) {
				struct fd_watch *w = &l->fds[k];
				if (w->fd == pfd[i].fd && !w->dead) {
					w->cb(w->arg, w->fd, pfd[i].revents);
					break;
				}
			}
		}
		if (!l->done)
			run_timers(l);
	}
	free(pfd);
	return l->done ? l->status : 0;
}
