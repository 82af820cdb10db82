/*
 * ping — ICMP echo with iputils' behaviour, output and exit codes.
 *
 * struct ping_conf is filled by options.c and never changed afterwards;
 * struct ping holds the run (targets, their sockets and sequence tables,
 * the loop).  pinger.c sends and matches, output.c prints.
 */
#ifndef PING_PING_H
#define PING_PING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "clock.h"
#include "decode.h"
#include "ip.h"
#include "loop.h"
#include "pcap.h"
#include "stats.h"

#define PING_DEFAULT_DATALEN 56
/* iputils: 16 bytes of pattern at most (-p). */
#define PING_MAX_PATTERN 16
/* Send times are kept for the last PING_WINDOW probes (a ring indexed by
 * sequence number, each slot remembering its full 16-bit sequence): a
 * reply to an older probe is ignored as too late.  4096 probes is over an
 * hour at the default interval and far beyond any -l preload, and keeps
 * the table at 64 KiB whatever the run's length. */
#define PING_WINDOW 4096
/* With no replies, an interval of 0 (flood, -i 0) still paces sends at
 * 100 per second, as iputils does, so a dead host is not flooded blind. */
#define PING_IDLE_PACE (10 * NS_PER_MS)
/* A user (not root) may not send faster than this (iputils: 2 ms). */
#define PING_MIN_USER_INTERVAL (2 * NS_PER_MS)
/* ...nor preload more than this many probes (iputils: 3). */
#define PING_MAX_USER_PRELOAD 3
/* Largest datagram we read: a maximal IPv4 packet. */
#define PING_RX_BUF 65536

struct ping_conf {
	const char *prog;          /* argv[0] for messages */
	long long count;           /* -c; 0 = until interrupted */
	nsec_t interval;           /* -i */
	bool interval_set;
	nsec_t linger;             /* -W: wait for replies after the last send when none came */
	nsec_t deadline;           /* -w; 0 = none */
	size_t datalen;            /* -s */
	int ttl;                   /* -t; -1 = kernel default */
	int pmtu;                  /* -M as enum pmtu_mode; -1 = kernel default */
	const char *iface;         /* -I IFACE */
	struct addr source;        /* -I ADDR */
	int tos;                   /* -Q; -1 = default */
	int family;                /* -4 / -6 / AF_UNSPEC */
	int preload;               /* -l */
	uint8_t pattern[PING_MAX_PATTERN];
	size_t pattern_len;        /* -p; 0 = iputils' default fill */
	bool quiet, numeric, print_time, outstanding, flood, json;
	int verbose;               /* -v count */
	const char *pcap_path;     /* --pcap */
	bool is_root;              /* real uid 0: iputils' user limits do not apply */
	char **targets;
	int ntargets;
};

/* One sent probe, in the ring slot seq % PING_WINDOW. */
struct ping_sent {
	nsec_t tx;                 /* send time, realtime ns: our clock just before
				      sendto(), replaced by the kernel's transmit stamp */
	uint16_t seq;
	uint16_t replies;          /* 0: unanswered; >1: duplicates seen */
	bool used;
	bool error;                /* answered by an ICMP error */
	bool stamped;              /* tx is the kernel's transmit stamp */
};

struct ping;

struct ping_target {
	struct ping *run;
	const char *name;          /* as typed */
	char canon[256];           /* the header's name (iputils: typed if numeric, else canonical) */
	const char *footer_name;   /* the statistics line's name (v6: as typed) */
	struct addr addr;
	const struct ipfam *fam;
	bool numeric;              /* print bare addresses (numeric target or -n) */
	int fd;
	bool raw;                  /* raw socket (else ping socket) */
	bool tx_stamps;            /* kernel transmit timestamps are on */
	uint16_t ident;            /* echo identifier (raw: ours; ping socket: the kernel's) */
	struct addr local;         /* our source address (for --pcap) */
	struct ping_sent *sent;    /* PING_WINDOW entries */
	uint16_t *txkey_seq;       /* kernel tx-stamp key -> seq, PING_WINDOW entries */
	uint32_t txkey;            /* next kernel tx-stamp key */

	long long ntransmitted, nreceived, nrepeats, nerrors, ncorrupted, nignored;
	long long outstanding, pipesize;
	uint16_t next_seq;
	nsec_t first_tx, last_tx;  /* monotonic, for "time" and ipg */
	nsec_t next_tick;          /* monotonic, the drift-free schedule */
	struct stats rtt;
	long long ewma8;           /* iputils' EWMA of RTT in µs, fixed point ×8 */
	bool sending_done;         /* count reached: only waiting for replies */
	bool finished;
	/* reverse names, cached: a lookup per reply would stall the loop
	 * (iputils#414) */
	struct addr_names names;
};

struct ping {
	const struct ping_conf *conf;
	struct loop *loop;
	struct ping_target *targets;
	int ntargets;
	int running;               /* targets not finished */
	nsec_t start;              /* monotonic */
	struct decode dec;
	struct pcap pcap;
	uint8_t *rxbuf;            /* PING_RX_BUF bytes */
	uint8_t *viewbuf;          /* PING_RX_BUF bytes: a rebuilt wire packet */
	const uint8_t *view;       /* the packet -v and --pcap show now */
	size_t view_len;
	FILE *out;
};

/* iputils puts a struct timeval (16 bytes on 64-bit Linux) at the start
 * of the payload; we do the same so Wireshark shows the send time, but we
 * never read it back.  Bytes after it are checked on every reply. */
#define PING_TV_LEN 16

/* One echo reply as output.c prints it. */
struct ping_reply {
	const struct addr *from;
	uint16_t seq;
	size_t bytes;              /* ICMP length received */
	int ttl;                   /* -1 when unknown */
	long long rtt_us;
	bool dup, truncated, bad_cksum, different_addr;
	const uint8_t *payload;    /* echo data, for the wrong-byte check */
	size_t payload_len;
};

/* options.c */
int ping_parse_options(int argc, char **argv, struct ping_conf *conf);
void ping_usage(FILE *f, const char *prog);

/* pinger.c */
uint8_t ping_fill_byte(const struct ping_conf *c, size_t i);
int ping_target_setup(struct ping *p, struct ping_target *t);
void ping_start(struct ping *p);
void ping_on_signal(void *arg, int signo);
int ping_exit_code(const struct ping *p);

/* output.c */
void out_header(struct ping *p, struct ping_target *t);
void out_pattern(struct ping *p);
void out_reply(struct ping *p, struct ping_target *t, const struct ping_reply *r);
/* An ICMP error answering one of our probes; counted is false for the
 * redirects and source quenches a raw socket sees (iputils prints those
 * with a colon and does not count them). */
void out_icmp_error(struct ping *p, struct ping_target *t, const struct addr *from, uint16_t seq,
		    uint8_t type, uint8_t code, uint32_t info, bool counted);
/* what: "local error" (from the error queue) or "sendmsg" (send failed). */
void out_local_error(struct ping *p, struct ping_target *t, const char *what, int err, uint32_t mtu);
void out_no_answer(struct ping *p, struct ping_target *t, uint16_t seq);
void out_flood_sent(struct ping *p);
void out_summary(struct ping *p, struct ping_target *t);
void out_status(struct ping_target *t);
const char *out_name(struct ping_target *t, const struct addr *a, char *buf, size_t len);

#endif
