/*
 * packet — AF_PACKET sockets (see packet.h).
 *
 * Control messages are length-checked before they are read; the
 * timestamp ones go through sock_parse_control(), the one place that
 * reads SOL_SOCKET timestamps.  The transmit-stamp record on a packet
 * socket's error queue is SOL_PACKET/PACKET_TX_TIMESTAMP (not the IP
 * level's IP_RECVERR), so it is read here.
 */
#include "packet.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>

#include "ether.h"
#include "sock.h"

int packet_open(void)
{
	return sock_open(AF_PACKET, SOCK_RAW, 0);
}

int packet_attach_filter(int fd, const struct sock_filter *prog, unsigned short len)
{
	struct sock_fprog fp = { .len = len, .filter = (struct sock_filter *)(uintptr_t)prog };
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
}

int packet_filter_arp(int fd)
{
	/* Offsets in the Ethernet frame: type 12, then the ARP header at
	 * 14: htype 14, ptype 16, hlen 18, plen 19, op 20 (RFC 826).  A
	 * load past the end of a short frame ends the program: dropped. */
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_ARP, 0, 12),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 14),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 10),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 16),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IPV4, 0, 8),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 18),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHER_ADDR_LEN, 0, 6),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 19),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4, 0, 4),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARP_REQUEST, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARP_REPLY, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	return packet_attach_filter(fd, prog, (unsigned short)(sizeof(prog) / sizeof(prog[0])));
}

int packet_bind(int fd, int ifindex, uint16_t ethertype)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ethertype),
		.sll_ifindex = ifindex,
	};
	return bind(fd, (struct sockaddr *)&sll, sizeof(sll));
}

unsigned packet_enable(int fd, unsigned flags)
{
	unsigned on = 0;
	int ts = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE;
	if (flags & PACKET_TX_TS)
		ts |= SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;
	if (!(flags & (PACKET_RX_TS | PACKET_TX_TS)))
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &ts, sizeof(ts)) == 0)
		return flags & (PACKET_RX_TS | PACKET_TX_TS);
	int one = 1;
	if ((flags & PACKET_RX_TS) && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) == 0)
		on |= PACKET_RX_TS;
	return on;
}

ssize_t packet_send(int fd, int ifindex, const void *frame, size_t len)
{
	if (len < ETHER_HDR_LEN) {
		errno = EINVAL;
		return -1;
	}
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_halen = ETHER_ADDR_LEN,
	};
	memcpy(&sll.sll_protocol, (const uint8_t *)frame + 2 * ETHER_ADDR_LEN, 2);
	memcpy(sll.sll_addr, frame, ETHER_ADDR_LEN);
	return sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll));
}

ssize_t packet_recv(int fd, void *buf, size_t len, struct packet_meta *m)
{
	struct sockaddr_ll sll;
	union {
		char buf[256];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &sll, .msg_namelen = sizeof(sll),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	memset(m, 0, sizeof(*m));
	memset(&sll, 0, sizeof(sll));
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -1;
	m->truncated = (msg.msg_flags & MSG_TRUNC) || (size_t)n > len;
	if ((size_t)n > len)
		n = (ssize_t)len;
	if (msg.msg_namelen >= offsetof(struct sockaddr_ll, sll_addr)) {
		m->ifindex = sll.sll_ifindex;
		m->pkttype = sll.sll_pkttype;
		m->protocol = ntohs(sll.sll_protocol);
	}
	struct rxmeta rx;
	memset(&rx, 0, sizeof(rx));
	sock_parse_control(&msg, &rx);
	m->ts = rx.ts;
	return n;
}

/* Error-queue records read per call before giving up on finding a
 * stamp: a packet socket queues nothing but our own stamps (and a local
 * error now and then), so a few are plenty; the bound keeps one call
 * short whatever is queued. */
#define PACKET_ERRQUEUE_MAX 16

/* Read one error-queue record: 1 a stamp, 2 something else, 0 empty, -1 error. */
static int errqueue_one(int fd, uint32_t *id, nsec_t *ts)
{
	union {
		char buf[256];
		struct cmsghdr align;
	} ctl;
	uint8_t data[64];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	if (recvmsg(fd, &msg, MSG_DONTWAIT | MSG_ERRQUEUE) < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	struct rxmeta rx;
	memset(&rx, 0, sizeof(rx));
	sock_parse_control(&msg, &rx);
	bool have_id = false;
	const uint8_t *end = (const uint8_t *)msg.msg_control + msg.msg_controllen;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		const uint8_t *p = CMSG_DATA(c);
		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_TX_TIMESTAMP)
			continue;
		struct sock_extended_err ee;
		if (c->cmsg_len < CMSG_LEN(sizeof(ee)) || p > end || (size_t)(end - p) < sizeof(ee))
			continue;
		memcpy(&ee, p, sizeof(ee));
		if (ee.ee_errno == ENOMSG && ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING) {
			*id = ee.ee_data;
			have_id = true;
		}
	}
	if (!have_id || !rx.ts)
		return 2;
	*ts = rx.ts;
	return 1;
}

int packet_tx_stamp(int fd, uint32_t *id, nsec_t *ts)
{
	for (int i = 0; i < PACKET_ERRQUEUE_MAX; i++) {
		int rc = errqueue_one(fd, id, ts);
		if (rc != 2)
			return rc;
	}
	return 0;
}
