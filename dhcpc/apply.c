/*
 * apply — --apply and -s: the only code that changes anything.
 *
 * --apply puts the leased address (with its prefix, broadcast and the
 * lease as the address lifetime, so the kernel drops it at expiry even if
 * we die) and a default route on the interface through rtnetlink, with
 * libmnl directly.  CAP_NET_ADMIN is raised around the socket's creation
 * and the send only: rtnetlink checks both the opener's and the sender's
 * capabilities (netlink_ns_capable), so it cannot be opened early and kept.
 * The kernel's answer is read after the capability is lowered.  Only the
 * default route is installed: option 121 routes are shown and linted,
 * never applied (research 2.4: flag them rather than apply them).
 * These functions could move to common/nl.c once a second tool needs them.
 *
 * The hook (-s SCRIPT) follows udhcpc: argv[1] is the event (deconfig,
 * bound, renew, nak, leasefail) and the values are environment variables
 * with udhcpc's names.  It is run with execve(), never through a shell,
 * with a fixed PATH and nothing inherited from our environment; every
 * string from the server has been validated (lease.c) or is withheld.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dhcpc.h"
#include "priv.h"

/* RFC-less but universal: routes a DHCP client installs (iproute2 "dhcp"). */
#define DHCPC_RTPROT_DHCP 16
#define HOOK_ENV_MAX 40
#define HOOK_ENV_BUF 8192

/* Send one request and read the kernel's answer: 0, -1 (warned), or 1
 * when the kernel answered with the error `quiet` (not warned). */
static int nl_talk(struct dhcpc *d, struct nlmsghdr *nlh, const char *what, int quiet)
{
	if (priv_raise(CAP_NET_ADMIN) < 0) {
		out_warn(d, "%s: need CAP_NET_ADMIN: %s", what, strerror(errno));
		return -1;
	}
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int rc = -1, err = 0;
	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0 &&
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0)
		rc = 0;
	else
		err = errno;
	priv_lower(CAP_NET_ADMIN);
	if (rc == 0) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		rc = n < 0 ? -1 : mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl), NULL, NULL);
		if (rc < 0)
			err = errno;
	}
	if (nl)
		mnl_socket_close(nl);
	if (rc < 0 && quiet && err == quiet)
		return 1;
	if (rc < 0) {
		out_warn(d, "%s: %s", what, strerror(err));
		return -1;
	}
	return 0;
}

static struct nlmsghdr *addr_msg(char *buf, int type, unsigned flags, const struct dhcpc *d)
{
	const struct dhcp_lease *l = &d->lease;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)l->prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)d->ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, 4, l->addr.bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, l->addr.bytes);
	return nlh;
}

int apply_lease(struct dhcpc *d)
{
	const struct dhcp_lease *l = &d->lease;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = addr_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, d);
	uint8_t brd[4];
	for (int i = 0; i < 4; i++)
		brd[i] = (uint8_t)(l->addr.bytes[i] | (uint8_t)~l->mask.bytes[i]);
	if (l->prefix < 31)
		mnl_attr_put(nlh, IFA_BROADCAST, 4, brd);
	if (l->lease != DHCP_INFINITE) {
		struct ifa_cacheinfo ci = { .ifa_prefered = l->lease, .ifa_valid = l->lease };
		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	}
	char a[ADDR_STRLEN], g[ADDR_STRLEN];
	if (nl_talk(d, nlh, "add address", 0) < 0)
		return -1;
	out_note(d, "applied %s/%u to %s", addr_fmt(&l->addr, a, sizeof(a)), l->prefix, d->ifname);

	/* RFC 3442: with option 121 the router option is ignored; its own
	 * default route (0/0), if any, is the one to use. */
	const struct addr *gw = NULL;
	if (l->has_classless) {
		for (int i = 0; i < l->nroutes && !gw; i++)
			if (l->routes[i].prefix == 0)
				gw = &l->routes[i].gw;
	} else if (l->nrouters) {
		gw = &l->routers[0];
	}
	if (!gw)
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = (uint32_t)time(NULL) + 1;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = DHCPC_RTPROT_DHCP;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, 4, gw->bytes);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)d->ifindex);
	mnl_attr_put(nlh, RTA_PREFSRC, 4, l->addr.bytes);
	if (nl_talk(d, nlh, "add default route", 0) < 0)
		return 0;   /* the address stays: that part worked */
	out_note(d, "applied default via %s dev %s", addr_fmt(gw, g, sizeof(g)), d->ifname);
	return 0;
}

int apply_deconfig(struct dhcpc *d)
{
	if (!d->applied)
		return 0;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* Deleting the address takes the routes through it along. */
	struct nlmsghdr *nlh = addr_msg(buf, RTM_DELADDR, 0, d);
	d->applied = false;
	/* The address carries the lease as its lifetime, so at expiry the
	 * kernel may have removed it first: that is not an error. */
	int rc = nl_talk(d, nlh, "delete address", EADDRNOTAVAIL);
	if (rc < 0)
		return -1;
	char a[ADDR_STRLEN];
	out_note(d, "removed %s/%u from %s%s", addr_fmt(&d->lease.addr, a, sizeof(a)), d->lease.prefix,
		 d->ifname, rc > 0 ? " (the kernel had already dropped it at its lifetime's end)" : "");
	return 0;
}

/* ---------------------------------------------------------------- hook */

struct envb {
	char *buf;
	size_t cap, len;
	char **env;
	int n, max;
	bool err;
};

static void env_add(struct envb *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void env_add(struct envb *e, const char *fmt, ...)
{
	if (e->err || e->n >= e->max - 1) {
		e->err = true;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= e->cap - e->len) {
		e->err = true;
		return;
	}
	e->env[e->n++] = e->buf + e->len;
	e->env[e->n] = NULL;
	e->len += (size_t)k + 1;
}

static void env_addrs(struct envb *e, const char *name, const struct addr *a, int n)
{
	char list[DHCP_MAX_ADDRS * (ADDR_STRLEN + 1)] = "", one[ADDR_STRLEN];
	size_t o = 0;
	for (int i = 0; i < n && o + ADDR_STRLEN + 1 < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? " " : "", addr_fmt(&a[i], one, sizeof(one)));
	if (n)
		env_add(e, "%s=%s", name, list);
}

/* sname / file go to the hook only when they are plain words. */
static bool plain_word(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == '/' || c == ':'))
			return false;
	}
	return n > 0;
}

int hook_env(const struct dhcpc *d, const struct dhcp_lease *l, char *buf, size_t cap, char **env,
	     int max)
{
	struct envb e = { .buf = buf, .cap = cap, .env = env, .max = max };
	char a[ADDR_STRLEN];
	env_add(&e, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env_add(&e, "interface=%s", d->ifname);
	if (d->have_lease || addr_is_set(&l->addr)) {
		const struct dhcp_msg *m = &d->ack;
		env_add(&e, "ip=%s", addr_fmt(&l->addr, a, sizeof(a)));
		env_add(&e, "subnet=%s", addr_fmt(&l->mask, a, sizeof(a)));
		env_add(&e, "mask=%u", l->prefix);
		if (l->has_broadcast)
			env_add(&e, "broadcast=%s", addr_fmt(&l->broadcast, a, sizeof(a)));
		env_addrs(&e, "router", l->routers, l->nrouters);
		env_addrs(&e, "dns", l->dns, l->ndns);
		env_addrs(&e, "ntpsrv", l->ntp, l->nntp);
		if (l->domain[0])
			env_add(&e, "domain=%s", l->domain);
		if (l->hostname[0])
			env_add(&e, "hostname=%s", l->hostname);
		env_add(&e, "lease=%u", l->lease);
		if (l->has_server_id)
			env_add(&e, "serverid=%s", addr_fmt(&l->server_id, a, sizeof(a)));
		if (addr_is_set(&l->siaddr) && !addr_is_any(&l->siaddr))
			env_add(&e, "siaddr=%s", addr_fmt(&l->siaddr, a, sizeof(a)));
		if (addr_is_set(&l->giaddr) && !addr_is_any(&l->giaddr))
			env_add(&e, "giaddr=%s", addr_fmt(&l->giaddr, a, sizeof(a)));
		if (l->mtu)
			env_add(&e, "mtu=%u", l->mtu);
		if (l->message[0])
			env_add(&e, "message=%s", l->message);
		if (!(m->overload & 2)) {
			size_t n = strnlen((const char *)m->sname, sizeof(m->sname));
			if (plain_word(m->sname, n))
				env_add(&e, "sname=%.*s", (int)n, (const char *)m->sname);
		}
		if (!(m->overload & 1)) {
			size_t n = strnlen((const char *)m->file, sizeof(m->file));
			if (plain_word(m->file, n))
				env_add(&e, "boot_file=%.*s", (int)n, (const char *)m->file);
		}
		if (l->nroutes) {
			/* udhcpc's staticroutes: "dst/len gw dst/len gw ..." */
			char list[DHCP_MAX_ROUTES * 40] = "", g[ADDR_STRLEN];
			size_t o = 0;
			for (int i = 0; i < l->nroutes && o + 40 < sizeof(list); i++)
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s/%u %s", i ? " " : "",
						      addr_fmt(&l->routes[i].dst, a, sizeof(a)), l->routes[i].prefix,
						      addr_fmt(&l->routes[i].gw, g, sizeof(g)));
			env_add(&e, "staticroutes=%s", list);
		}
	}
	return e.err ? -1 : e.n;
}

void hook_run(struct dhcpc *d, const char *event)
{
	const char *script = d->conf->script;
	if (!script)
		return;
	char buf[HOOK_ENV_BUF];
	char *env[HOOK_ENV_MAX];
	struct dhcp_lease none;
	memset(&none, 0, sizeof(none));
	bool with_lease = strcmp(event, "bound") == 0 || strcmp(event, "renew") == 0;
	if (hook_env(d, with_lease ? &d->lease : &none, buf, sizeof(buf), env, HOOK_ENV_MAX) < 0) {
		out_warn(d, "hook: environment too large");
		return;
	}
	if (!with_lease) {
		/* deconfig / nak / leasefail: interface (and message) only, as udhcpc */
		env[2] = NULL;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		out_warn(d, "hook: fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);   /* the loop blocks signals for signalfd */
		char *argv[] = { (char *)(uintptr_t)script, (char *)(uintptr_t)event, NULL };
		execve(script, argv, env);
		dprintf(2, "%s: hook %s: %s\n", d->conf->prog, script, strerror(errno));
		_exit(127);
	}
	nsec_t end = clock_mono() + DHCPC_HOOK_TIMEOUT;
	int st = 0;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return;
		if (clock_mono() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			out_warn(d, "hook %s %s: killed after %d s", script, event,
				 (int)(DHCPC_HOOK_TIMEOUT / NS_PER_S));
			return;
		}
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (d->conf->verbose)
		out_note(d, "hook %s %s: exit %d", script, event, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}
