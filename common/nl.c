/*
 * nl — rtnetlink route and link queries with libmnl (see nl.h).
 *
 * One request, one reply: each query opens its own NETLINK_ROUTE socket,
 * which needs no privilege for RTM_GETROUTE / RTM_GETLINK.
 */
#include "nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* libmnl's MNL_SOCKET_BUFFER_SIZE is min(page size, 8 KiB) and not a
 * constant; 8 KiB holds any single route or link reply. */
#define NL_BUF_SIZE 8192

/* Run one request and feed the reply to cb. */
static int nl_talk(struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	char buf[NL_BUF_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -1;
	int rc = -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	unsigned portid = mnl_socket_get_portid(nl);
	req->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		goto out;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			goto out;
		int r = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, portid, cb, data);
		if (r < 0)
			goto out;     /* errno from the kernel's NLMSG_ERROR */
		if (r == MNL_CB_STOP)
			break;
	}
	rc = 0;
out:
	{
		int saved = errno;
		mnl_socket_close(nl);
		errno = saved;
	}
	return rc;
}

struct route_ctx {
	struct nl_route *out;
	int family;
	bool found;
};

static void attr_addr(const struct nlattr *a, int family, struct addr *dst)
{
	size_t want = family == AF_INET ? 4 : 16;
	if (mnl_attr_get_payload_len(a) == want)
		addr_from_bytes(dst, family, mnl_attr_get_payload(a));
}

static int route_metrics_cb(const struct nlattr *a, void *data)
{
	uint32_t *mtu = data;
	if (mnl_attr_get_type(a) == RTAX_MTU && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		*mtu = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int route_attr_cb(const struct nlattr *a, void *data)
{
	struct route_ctx *ctx = data;
	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			ctx->out->oif = (int)mnl_attr_get_u32(a);
		break;
	case RTA_PREFSRC:
		attr_addr(a, ctx->family, &ctx->out->src);
		break;
	case RTA_GATEWAY:
		attr_addr(a, ctx->family, &ctx->out->gw);
		break;
	case RTA_METRICS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(a, route_metrics_cb, &ctx->out->mtu);
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_ctx *ctx = data;
	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return MNL_CB_OK;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	ctx->out->type = rtm->rtm_type;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, ctx);
	ctx->found = true;
	return MNL_CB_STOP;
}

int nl_route_get(const struct addr *dst, const struct addr *src, int oif, struct nl_route *out)
{
	char buf[NL_BUF_SIZE];
	memset(out, 0, sizeof(*out));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = (unsigned char)(addr_len(dst) * 8);
	mnl_attr_put(nlh, RTA_DST, addr_len(dst), dst->bytes);
	if (src && addr_is_set(src)) {
		rtm->rtm_src_len = (unsigned char)(addr_len(src) * 8);
		mnl_attr_put(nlh, RTA_SRC, addr_len(src), src->bytes);
	}
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	struct route_ctx ctx = { .out = out, .family = dst->family };
	if (nl_talk(nlh, route_cb, &ctx) < 0)
		return -1;
	if (!ctx.found) {
		errno = ENETUNREACH;
		return -1;
	}
	struct nl_link link;
	if (out->oif && nl_link_get(out->oif, NULL, &link) == 0) {
		memcpy(out->ifname, link.name, sizeof(out->ifname));
		if (!out->mtu)
			out->mtu = link.mtu;
	}
	return 0;
}

struct link_ctx {
	struct nl_link *out;
	bool found;
};

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct nl_link *l = data;
	size_t len = mnl_attr_get_payload_len(a);
	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0 && len <= sizeof(l->name)) {
			memcpy(l->name, mnl_attr_get_str(a), len);
			l->name[sizeof(l->name) - 1] = '\0';
		}
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			l->mtu = mnl_attr_get_u32(a);
		break;
	case IFLA_ADDRESS:
		if (len <= sizeof(l->hwaddr)) {
			memcpy(l->hwaddr, mnl_attr_get_payload(a), len);
			l->hwaddr_len = len;
		}
		break;
	case IFLA_BROADCAST:
		if (len <= sizeof(l->brdaddr))
			memcpy(l->brdaddr, mnl_attr_get_payload(a), len);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_ctx *ctx = data;
	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return MNL_CB_OK;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	ctx->out->ifindex = ifi->ifi_index;
	ctx->out->flags = ifi->ifi_flags;
	ctx->out->hwtype = ifi->ifi_type;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, ctx->out);
	ctx->found = true;
	return MNL_CB_STOP;
}

int nl_link_get(int ifindex, const char *name, struct nl_link *out)
{
	char buf[NL_BUF_SIZE];
	memset(out, 0, sizeof(*out));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (!ifindex && name) {
		if (strlen(name) >= IF_NAMESIZE) {
			errno = ENODEV;
			return -1;
		}
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	}
	struct link_ctx ctx = { .out = out };
	if (nl_talk(nlh, link_cb, &ctx) < 0)
		return -1;
	if (!ctx.found) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}
