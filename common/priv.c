/*
 * priv — libcap bracket (see priv.h).
 *
 * Works the same for root, for a file-capability binary run by a user
 * (cap_net_raw+p), and for a setuid-root binary: in the last case we
 * switch to the real uid with PR_SET_KEEPCAPS first so the permitted set
 * survives, then trim it.
 */
#include "priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int set_flag(cap_value_t cap, cap_flag_t flag, cap_flag_value_t val)
{
	cap_t c = cap_get_proc();
	if (!c)
		return -1;
	int rc = cap_set_flag(c, flag, 1, &cap, val);
	if (rc == 0)
		rc = cap_set_proc(c);
	int saved = errno;
	cap_free(c);
	errno = saved;
	return rc;
}

bool priv_have(cap_value_t cap)
{
	cap_t c = cap_get_proc();
	if (!c)
		return false;
	cap_flag_value_t v = CAP_CLEAR;
	cap_get_flag(c, cap, CAP_PERMITTED, &v);
	cap_free(c);
	return v == CAP_SET;
}

int priv_raise(cap_value_t cap)
{
	if (!priv_have(cap)) {
		errno = EPERM;
		return -1;
	}
	return set_flag(cap, CAP_EFFECTIVE, CAP_SET);
}

int priv_lower(cap_value_t cap)
{
	return set_flag(cap, CAP_EFFECTIVE, CAP_CLEAR);
}

/* Leave only keep[] in permitted, nothing effective or inheritable. */
static int trim(const cap_value_t *keep, int n)
{
	cap_t have = cap_get_proc();
	cap_t want = cap_init();
	if (!have || !want) {
		cap_free(have);
		cap_free(want);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		cap_flag_value_t v = CAP_CLEAR;
		cap_get_flag(have, keep[i], CAP_PERMITTED, &v);
		if (v == CAP_SET)
			cap_set_flag(want, CAP_PERMITTED, 1, &keep[i], CAP_SET);
	}
	int rc = cap_set_proc(want);
	cap_free(have);
	cap_free(want);
	return rc;
}

static int keep_only(const cap_value_t *caps, int n)
{
	uid_t ruid = getuid();
	if (geteuid() != ruid) {
		/* setuid root: keep the permitted set across the uid change. */
		if (prctl(PR_SET_KEEPCAPS, 1) < 0 || setresuid(ruid, ruid, ruid) < 0)
			return -1;
		prctl(PR_SET_KEEPCAPS, 0);
	}
	if (getegid() != getgid() && setresgid(getgid(), getgid(), getgid()) < 0)
		return -1;
	return trim(caps, n);
}

int priv_init(const char *prog, const cap_value_t *caps, int n)
{
	if (keep_only(caps, n) == 0)
		return 0;
	fprintf(stderr, "%s: cannot limit capabilities: %s\n", prog, strerror(errno));
	return -1;
}

int priv_drop_except(const cap_value_t *keep, int n)
{
	if (trim(keep, n) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	/* Verify: nothing effective, nothing permitted beyond keep[]. */
	cap_t c = cap_get_proc();
	if (!c)
		return -1;
	cap_t want = cap_init();
	for (int i = 0; want && i < n; i++) {
		cap_flag_value_t v = CAP_CLEAR;
		cap_get_flag(c, keep[i], CAP_PERMITTED, &v);
		if (v == CAP_SET)
			cap_set_flag(want, CAP_PERMITTED, 1, &keep[i], CAP_SET);
	}
	int same = want ? cap_compare(c, want) : -1;
	cap_free(c);
	cap_free(want);
	if (same != 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
