/*
 * dhcpc-hostile — a test-only DHCP "server" that answers a DISCOVER with a
 * burst of malformed OFFERs, then one usable but tricky OFFER, and answers
 * the REQUEST with a hostile ACK.  Never installed; tests/60-dhcpc.bats
 * builds it with cc and runs it in a lab namespace.
 *
 *   dhcpc-hostile IFACE SERVER_ADDR OFFER_ADDR [COUNT [plain:LEASE:T1:T2]]
 *
 * Replies go to 255.255.255.255:68 from a UDP socket bound to port 67 on
 * IFACE.  The burst, in order (each must be ignored by the client):
 *   wrong xid; wrong chaddr; an option running past the packet; option 52
 *   pointing at garbage in `file`; option 52 = 7; a length byte of 255 with
 *   3 bytes left; a reply with op = 1; a message shorter than BOOTP.
 * The usable OFFER has no End option, overload 3, domain split between the
 * options field ("split-") and `file` ("domain.lab"), hostname in `sname`.
 * The ACK carries shell metacharacters and an escape sequence in hostname
 * and domain, TunnelVision routes in option 121 (0/1 and 128/1), T1 > T2,
 * and option 108 which was never requested.  It exits after COUNT ACKs
 * (default 1) or 20 s.
 *
 * plain:LEASE:T1:T2 makes it a well-behaved server with a lease shorter
 * than dnsmasq allows (its minimum is 120 s): one clean OFFER, a clean
 * ACK (mask /24, router SERVER_ADDR, the given lease, T1 and T2), for
 * the lease-keeping tests; after COUNT ACKs it exits, so nobody answers
 * the renewal.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint8_t out[1500];
static size_t olen;

static void put(const void *p, size_t n)
{
	if (olen + n <= sizeof(out)) {
		memcpy(out + olen, p, n);
		olen += n;
	}
}

static void put8(uint8_t v) { put(&v, 1); }

static void opt(uint8_t code, const void *p, size_t n)
{
	put8(code);
	put8((uint8_t)n);
	put(p, n);
}

static void opt_addr(uint8_t code, struct in_addr a) { opt(code, &a, 4); }

static void opt_u32(uint8_t code, uint32_t v)
{
	v = htonl(v);
	opt(code, &v, 4);
}

/* BOOTREPLY header; file/sname filled by the caller via the pointers. */
static void header(uint8_t op, uint32_t xid, const uint8_t *chaddr, struct in_addr yi,
		   const uint8_t *sname, size_t sn, const uint8_t *file, size_t fn)
{
	olen = 0;
	memset(out, 0, sizeof(out));
	put8(op);
	put8(1);
	put8(6);
	put8(0);
	uint32_t x = htonl(xid);
	put(&x, 4);
	put("\0\0\0\0", 4);               /* secs, flags */
	put("\0\0\0\0", 4);               /* ciaddr */
	put(&yi, 4);
	put("\0\0\0\0\0\0\0\0", 8);       /* siaddr, giaddr */
	uint8_t ch[16] = { 0 };
	memcpy(ch, chaddr, 6);
	put(ch, 16);
	uint8_t s[64] = { 0 }, f[128] = { 0 };
	memcpy(s, sname, sn);
	memcpy(f, file, fn);
	put(s, 64);
	put(f, 128);
	put("\x63\x82\x53\x63", 4);
}

static void send_out(int fd)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(68) };
	to.sin_addr.s_addr = INADDR_BROADCAST;
	if (sendto(fd, out, olen, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		perror("sendto");
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

static void common_opts(uint8_t type, struct in_addr sid)
{
	opt(53, &type, 1);
	opt_addr(54, sid);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s IFACE SERVER_ADDR OFFER_ADDR [COUNT]\n", argv[0]);
		return 2;
	}
	struct in_addr sid, yi, mask;
	inet_pton(AF_INET, argv[2], &sid);
	inet_pton(AF_INET, argv[3], &yi);
	inet_pton(AF_INET, "255.255.255.0", &mask);
	int want = argc > 4 ? atoi(argv[4]) : 1;
	unsigned plain_lease = 0, plain_t1 = 0, plain_t2 = 0;
	bool plain = argc > 5 && sscanf(argv[5], "plain:%u:%u:%u", &plain_lease, &plain_t1, &plain_t2) == 3;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, argv[1], (socklen_t)strlen(argv[1])) < 0) {
		perror("SO_BINDTODEVICE");
		return 1;
	}
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(67) };
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("bind");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	int acks = 0;
	time_t end = time(NULL) + 20;
	while (acks < want && time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 500) <= 0)
			continue;
		uint8_t in[1500];
		ssize_t n = recv(fd, in, sizeof(in), 0);
		if (n < 240 || in[0] != 1)
			continue;
		uint32_t xid = (uint32_t)in[4] << 24 | (uint32_t)in[5] << 16 | (uint32_t)in[6] << 8 | in[7];
		const uint8_t *ch = in + 28;
		uint8_t type = 0;
		for (ssize_t i = 240; i + 2 < n; i += 2 + in[i + 1])
			if (in[i] == 53) {
				type = in[i + 2];
				break;
			}
		if (plain && (type == 1 || type == 3)) {
			header(2, xid, ch, yi, NULL, 0, NULL, 0);
			common_opts(type == 1 ? 2 : 5, sid);
			opt_u32(51, plain_lease); opt_u32(58, plain_t1); opt_u32(59, plain_t2);
			opt_addr(1, mask); opt_addr(3, sid);
			put8(255);
			send_out(fd);
			acks += type == 3;
		} else if (type == 1) {
			uint8_t wrong[6] = { 0x02, 0xde, 0xad, 0xbe, 0xef, 0x01 };
			/* 1: wrong xid */
			header(2, xid ^ 1, ch, yi, NULL, 0, NULL, 0);
			common_opts(2, sid); opt_u32(51, 600); put8(255); send_out(fd);
			/* 2: wrong chaddr */
			header(2, xid, wrong, yi, NULL, 0, NULL, 0);
			common_opts(2, sid); opt_u32(51, 600); put8(255); send_out(fd);
			/* 3: an option running past the end of the packet */
			header(2, xid, ch, yi, NULL, 0, NULL, 0);
			common_opts(2, sid); put8(15); put8(200); put("overrun", 7); send_out(fd);
			/* 4: overload into a file field holding garbage */
			uint8_t garbage[128];
			memset(garbage, 0x0c, sizeof(garbage));   /* option 12, length 12, ... to the end */
			header(2, xid, ch, yi, NULL, 0, garbage, sizeof(garbage));
			common_opts(2, sid); put8(52); put8(1); put8(1); put8(255); send_out(fd);
			/* 5: overload value 7 */
			header(2, xid, ch, yi, NULL, 0, NULL, 0);
			common_opts(2, sid); put8(52); put8(1); put8(7); put8(255); send_out(fd);
			/* 6: a 255 length with 3 bytes left */
			header(2, xid, ch, yi, NULL, 0, NULL, 0);
			common_opts(2, sid); put8(3); put8(255); put("\x0a\x43\x00", 3); send_out(fd);
			/* 7: op 1 (a request, not a reply) */
			header(1, xid, ch, yi, NULL, 0, NULL, 0);
			common_opts(2, sid); put8(255); send_out(fd);
			/* 8: shorter than a BOOTP header */
			header(2, xid, ch, yi, NULL, 0, NULL, 0);
			olen = 100; send_out(fd);
			/* the usable one: overload 3, split domain, no End */
			static const uint8_t file[] = { 15, 10, 'd', 'o', 'm', 'a', 'i', 'n', '.', 'l', 'a', 'b', 3, 4,
							10, 67, 0, 2, 255 };
			static const uint8_t sname[] = { 12, 15, 'h', 'o', 's', 't', '-', 'f', 'r', 'o', 'm', '-',
							 's', 'n', 'a', 'm', 'e', 255 };
			header(2, xid, ch, yi, sname, sizeof(sname), file, sizeof(file));
			common_opts(2, sid); opt_u32(51, 600); opt_addr(1, mask);
			put8(52); put8(1); put8(3);
			opt(15, "split-", 6);
			send_out(fd);
		} else if (type == 3) {
			header(2, xid, ch, yi, NULL, 0, NULL, 0);
			common_opts(5, sid); opt_u32(51, 600); opt_addr(1, mask);
			opt_u32(58, 500); opt_u32(59, 400);
			opt_addr(3, sid);
			opt(12, "h;reboot 'x", 11);
			opt(15, "evil`id`$(id);\x1b[31mred.lab", 27);
			static const uint8_t tv[] = { 1, 0, 10, 67, 0, 2, 1, 128, 10, 67, 0, 2 };
			opt(121, tv, sizeof(tv));
			opt_u32(108, 1800);
			put8(255);
			send_out(fd);
			acks++;
		}
	}
	return 0;
}
