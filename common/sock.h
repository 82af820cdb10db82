/*
 * sock — open the sockets the tools need, set their options, and receive
 * with everything the kernel can tell about a packet.
 *
 * Least privilege first: an ICMP socket is a ping (datagram) socket when
 * net.ipv4.ping_group_range allows it and a raw socket only when it does
 * not; CAP_NET_RAW is raised only around the socket() call.  sock_recv()
 * returns the packet and a struct rxmeta: the kernel receive timestamp,
 * TTL/hop limit, TOS, arrival interface and address, truncation, and for
 * the error queue the extended error (ICMP type/code/info and the router
 * that sent it) or a transmit timestamp.
 */
#ifndef ND_SOCK_H
#define ND_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"
#include "clock.h"
#include "ip.h"

enum sock_icmp_mode {
	SOCK_ICMP_AUTO,    /* ping socket, raw if not allowed */
	SOCK_ICMP_RAW,     /* raw only (needs CAP_NET_RAW) */
	SOCK_ICMP_DGRAM,   /* ping socket only */
};

/* Open an ICMP/ICMPv6 socket; *is_raw tells which kind it became.
 * On failure returns -1 with errno from the last attempt. */
int sock_open_icmp(const struct ipfam *fam, enum sock_icmp_mode mode, bool *is_raw);
/* socket(2) with CAP_NET_RAW raised when the type needs it (SOCK_RAW,
 * AF_PACKET); nonblocking and close-on-exec. */
int sock_open(int family, int type, int proto);

/* Receive features (sock_enable's flags and return value). */
enum {
	SOCK_RX_TS = 1 << 0,       /* kernel receive timestamps */
	SOCK_TX_TS = 1 << 1,       /* kernel transmit timestamps on the error queue */
	SOCK_RX_TTL = 1 << 2,      /* TTL / hop limit of each packet */
	SOCK_RX_ERR = 1 << 3,      /* ICMP errors and local errors on the error queue */
	SOCK_RX_PKTINFO = 1 << 4,  /* arrival interface and destination address */
	SOCK_RX_TOS = 1 << 5,      /* TOS / traffic class */
};
/* Enable what it can of flags; returns the subset that is on. */
unsigned sock_enable(int fd, const struct ipfam *fam, unsigned flags);

int sock_set_ttl(int fd, const struct ipfam *fam, int ttl);   /* unicast and multicast */
int sock_set_tos(int fd, const struct ipfam *fam, int tos);
int sock_set_pmtu(int fd, const struct ipfam *fam, enum pmtu_mode mode);
int sock_bind_device(int fd, const char *ifname);
int sock_bind(int fd, const struct addr *a, uint16_t port);
int sock_set_bufs(int fd, int rcvbuf, int sndbuf);    /* 0 leaves one alone */

struct rxmeta {
	nsec_t ts;              /* kernel timestamp (realtime ns): receive time, or
				   transmit time for a tx stamp; 0 when none came */
	int ttl;                /* -1 when unknown */
	int tos;                /* -1 when unknown */
	int ifindex;            /* 0 when unknown */
	struct addr local;      /* the packet's destination address, when known */
	bool truncated;         /* the datagram was larger than the buffer */
	bool ctl_truncated;     /* control data was cut (some fields may be missing) */

	/* Error-queue messages (sock_recv(..., errqueue = true)). */
	bool is_error;          /* an ICMP or local error for a packet we sent */
	int ee_errno;
	uint8_t ee_origin;      /* SO_EE_ORIGIN_LOCAL / ICMP / ICMP6 */
	uint8_t ee_type, ee_code;
	uint32_t ee_info;       /* MTU for EMSGSIZE and frag-needed / too-big */
	struct addr offender;   /* who sent the ICMP error (unset for local) */
	bool is_txstamp;        /* a transmit timestamp: ts and txstamp_id are set */
	uint32_t txstamp_id;    /* SOF_TIMESTAMPING_OPT_ID counter of the send */
};

/*
 * Receive one datagram (MSG_DONTWAIT).  from/port receive the sender (for
 * the error queue: the original destination).  Returns the length (>= 0),
 * or -1 with errno (EAGAIN when nothing is queued).
 */
ssize_t sock_recv(int fd, void *buf, size_t len, struct addr *from, uint16_t *port,
		  struct rxmeta *m, bool errqueue);
/* Fill m from a received message's control data (what sock_recv uses;
 * exposed for the fuzz harness).  Every length is checked. */
struct msghdr;
void sock_parse_control(struct msghdr *msg, struct rxmeta *m);

ssize_t sock_sendto(int fd, const void *buf, size_t len, const struct addr *to, uint16_t port);

#endif
