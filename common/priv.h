/*
 * priv — the privilege bracket.
 *
 * priv_init() runs first in main: it keeps only the capabilities the tool
 * may need in the permitted set (none effective), and gives up setuid
 * root.  Socket openers raise one capability around the one call that
 * needs it (priv_raise/priv_lower).  priv_drop() then clears every
 * capability for good, sets PR_SET_NO_NEW_PRIVS and verifies the result:
 * a tool that cannot prove it holds nothing refuses to go on.
 */
#ifndef ND_PRIV_H
#define ND_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/capability.h>

/* Keep caps[0..n) permitted (if we have them at all); on failure say why
 * on stderr ("prog: cannot limit capabilities: ...") and return -1. */
int priv_init(const char *prog, const cap_value_t *caps, int n);
/* Is cap in the permitted set (so priv_raise can succeed)? */
bool priv_have(cap_value_t cap);
int priv_raise(cap_value_t cap);
int priv_lower(cap_value_t cap);
/* Drop every capability except the ones in keep[0..n) (kept permitted,
 * not effective — dhcpc --apply keeps CAP_NET_ADMIN); set NO_NEW_PRIVS;
 * verify.  Returns 0, or -1 if the drop could not be verified. */
int priv_drop_except(const cap_value_t *keep, int n);
static inline int priv_drop(void) { return priv_drop_except(NULL, 0); }

#endif
