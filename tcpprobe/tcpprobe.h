/*
 * tcpprobe — SYN-handshake prober: open / closed / filtered with the reason.
 *
 * struct tp_conf is filled by options.c and never changed afterwards;
 * struct tp is the run: the probe table (the single source of truth, one
 * entry per port and round), the sockets, counters and the loop.  syn.c
 * builds SYNs and parses replies (pure functions, unit-tested and fuzzed),
 * scan.c paces sends and decides probes, raw.c and connect.c are the two
 * ways of sending a probe (a const table each), output.c prints.
 */
#ifndef TCPPROBE_TCPPROBE_H
#define TCPPROBE_TCPPROBE_H

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
#include "tcp.h"

#define TP_DEFAULT_PORT 80
/* --rate: a scan of a whole host at the default takes about a minute,
 * which nobody mistakes for an attack; the ceiling keeps the tool from
 * becoming a flood tool whatever is asked (nmap -T5 territory). */
#define TP_DEFAULT_RATE 1000
#define TP_MAX_RATE 50000
/* -c with -i below this needs root (as ping's user limits). */
#define TP_MIN_USER_INTERVAL (10 * NS_PER_MS)
/* ports x count: each probe is one table entry; this bounds memory. */
#define TP_MAX_PROBES (1u << 20)
/* Probes one timer wakeup may send: a late wakeup catches up in bursts
 * no larger than this instead of all at once. */
#define TP_MAX_BATCH 64
/* Replies read per readable event before returning to the loop, so a
 * busy socket cannot starve the timers. */
#define TP_MAX_READS 64
/* Transmit-stamp keys are mapped back to probes through a ring this big;
 * stamps arrive microseconds after the send, long before it wraps. */
#define TP_TXKEY_RING 65536
/* A kernel transmit stamp further than this from our own clock is not
 * believed (a key that got out of step with our sends). */
#define TP_TXSTAMP_SLACK (10 * NS_PER_S)
/* Largest packet read: a maximal IP datagram. */
#define TP_RX_BUF 65536
/* Our SYN's window, as Linux offers it on Ethernet. */
#define TP_SYN_WINDOW 64240
#define TP_SYN_WSCALE 7

enum tp_class { TP_NONE, TP_FILTERED, TP_CLOSED, TP_OPEN };
enum tp_reason { TP_R_NONE, TP_R_SYNACK, TP_R_RST, TP_R_ICMP, TP_R_TIMEOUT };
enum tp_pstate { TP_IDLE, TP_INFLIGHT, TP_DONE };

struct tp_conf {
	const char *prog;
	const char *host;          /* as typed */
	uint16_t *ports;           /* in the order given */
	size_t nports;
	long long count;           /* -c: probes per port */
	nsec_t interval;           /* -i: between rounds */
	nsec_t timeout;            /* -W */
	int ttl;                   /* -t; -1 = kernel default */
	int sport;                 /* -s; 0 = kernel picks (held by a bound socket) */
	unsigned rate;             /* --rate, probes per second */
	const char *iface;         /* -I */
	int family;                /* -4 / -6 / AF_UNSPEC */
	bool connect_mode;         /* --connect */
	bool handshake;            /* -S */
	bool numeric, json;
	int verbose;
	const char *pcap_path;
	bool is_root;
};

/* One probe: port conf->ports[pidx], round `round`. */
struct tp_probe {
	nsec_t tx_real;            /* realtime send (kernel stamp when it came) */
	nsec_t tx_user;            /* realtime just before the send, to check tx stamps */
	nsec_t deadline;           /* monotonic */
	uint32_t isn;
	uint32_t pidx;
	uint32_t round;
	int fd;                    /* --connect: the connecting socket, else -1 */
	uint8_t state;             /* enum tp_pstate */
	uint8_t cls;               /* enum tp_class once decided */
};

/* Why a probe was decided, and what the answer showed. */
struct tp_result {
	enum tp_class cls;
	enum tp_reason reason;
	long long rtt_us;          /* -1: none */
	struct addr from;          /* ICMP: who sent it */
	uint8_t icmp_type, icmp_code;
	bool have_tcp;             /* raw: the reply's header */
	struct tcp_hdr tcp;
	bool have_info;            /* --connect: what TCP_INFO told */
	bool info_sack, info_ts;
	int info_wscale;           /* -1: none */
	int ttl;                   /* -1: unknown */
};

struct tp;

/* How probes go out: raw SYNs or kernel connect()s. */
struct tp_method {
	const char *name;
	int (*send)(struct tp *t, struct tp_probe *p);
	void (*cancel)(struct tp *t, struct tp_probe *p);
};
extern const struct tp_method tp_method_raw;
extern const struct tp_method tp_method_connect;

struct tp {
	const struct tp_conf *conf;
	const struct tp_method *method;
	struct loop *loop;
	struct addr target;
	const struct ipfam *fam;
	struct addr local;         /* our source address */
	uint16_t sport;            /* raw: the held source port */
	uint16_t our_mss;
	int tcp_fd, icmp_fd, hold_fd;   /* raw sockets and the port holder; -1 */
	bool tx_stamps;
	size_t max_inflight;       /* 0: only the rate limits (--connect: fds) */
	int32_t *fd_probe;         /* --connect: fd -> probe index, fd_max entries */
	int fd_max;
	bool fatal;                /* a local error ended the run: exit 2 */

	struct tp_probe *probes;
	size_t nprobes;
	int32_t *port_idx;         /* 65536 entries: port -> index in conf->ports, -1 */
	uint8_t *best;             /* per port index: best enum tp_class seen */
	uint32_t *txkey_probe;     /* TP_TXKEY_RING entries */
	uint32_t txkey;

	size_t next_send, next_expire;
	long long sent, answered, decided, inflight, ignored, late;
	struct stats rtt;
	nsec_t t0, next_at;        /* monotonic: start, next send slot */
	bool finished;

	struct decode dec;
	struct pcap pcap;
	uint8_t *rxbuf, *viewbuf;
	FILE *out;
};

/* options.c */
int tp_parse_options(int argc, char **argv, struct tp_conf *conf);
void tp_usage(FILE *f, const char *prog);

/* scan.c */
int scan_setup(struct tp *t);
void scan_start(struct tp *t);
void scan_decide(struct tp *t, struct tp_probe *p, const struct tp_result *r);
/* The in-flight probe on port with isn (any ISN when any_isn); NULL. */
struct tp_probe *scan_find(struct tp *t, uint16_t port, uint32_t isn, bool any_isn);
void scan_on_signal(void *arg, int signo);
int scan_exit_code(const struct tp *t);

/* raw.c */
int raw_setup(struct tp *t);
uint32_t tp_random32(void);

/* connect.c */
int connect_setup(struct tp *t);

/* output.c */
void out_result(struct tp *t, const struct tp_probe *p, const struct tp_result *r);
void out_syn_sent(struct tp *t, const struct tp_probe *p, const struct tcp_hdr *syn);
void out_handshake_reply(struct tp *t, const struct tp_probe *p, const struct tcp_hdr *h);
void out_foreign(struct tp *t, const struct tcp_hdr *h, uint32_t expect_ack);
void out_summary(struct tp *t);
void out_packet(struct tp *t, const char *what, const struct addr *src, const struct addr *dst,
		uint8_t proto, int ttl, const uint8_t *l4, size_t len, nsec_t ts);
void out_packet_ip(struct tp *t, const char *what, const uint8_t *pkt, size_t len, nsec_t ts);
const char *out_target(const struct tp *t, uint16_t port, char *buf, size_t len);
const char *out_opts(const struct tcp_opts *o, char *buf, size_t len);

#endif
