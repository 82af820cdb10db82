/*
 * traceroute — print the route packets take to a host (Butskoy's options
 * and output, tracepath's path-MTU discovery, Paris traceroute's flow
 * stability).
 *
 * struct trt_conf is filled by options.c and never changed afterwards.
 * struct trt is the run: sockets, the probe table (trace.c), the path-MTU
 * state (pmtu.c), output (output.c).  A probe method (method_*.c) is a
 * const table of function pointers, listed in methods.c.
 */
#ifndef TRACEROUTE_TRACEROUTE_H
#define TRACEROUTE_TRACEROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "clock.h"
#include "decode.h"
#include "icmp.h"
#include "ip.h"
#include "loop.h"
#include "pcap.h"

/* Butskoy's limits: at most 255 hops, 10 probes per hop. */
#define TRT_MAX_HOPS 255
#define TRT_MAX_QUERIES 10
/* Probes in flight (-N): Butskoy caps nothing; we cap at a full table
 * of 10 probes x 25 hops so a typo cannot flood a path. */
#define TRT_MAX_SIM 250
/* Sends per probe slot: the first, one paced retry (rate-limited ICMP),
 * and --mtu resends at smaller sizes (each frag-needed lowers the size;
 * 16 steps covers any real ladder 65535 -> 68). */
#define TRT_MAX_SENDS 20
/* Linux refills a router's per-destination ICMP bucket once a second
 * (net.ipv4.icmp_ratelimit = 1000 ms): retries are spaced by that. */
#define TRT_RETRY_PACE (1000 * NS_PER_MS)
/* Our own floor under the adaptive wait when it is derived from earlier
 * hops (the model has no such rule): a slow last link still gets this. */
#define TRT_MIN_NEAR_WAIT (100 * NS_PER_MS)
/* An expired probe whose verdict waits on the hop before it is looked
 * at again this soon (--mtu). */
#define TRT_RECHECK (10 * NS_PER_MS)
/* Largest packet we read or build. */
#define TRT_BUF 65536
/* Black-hole search: a binary search over sizes 68..65535 needs 16 steps. */
#define TRT_BH_MAX_STEPS 16

enum trt_method_id { TRT_M_UDP, TRT_M_UDP_PORT, TRT_M_ICMP, TRT_M_TCP };

struct trt_conf {
	const char *prog;
	enum trt_method_id method;
	int family;                 /* AF_UNSPEC / -4 / -6 */
	int first_ttl, max_ttl;     /* -f, -m */
	int nqueries;               /* -q */
	int sim;                    /* -N */
	nsec_t wait_max;            /* -w MAX */
	double here, near;          /* -w ,HERE,NEAR factors (0 = off) */
	nsec_t sendwait;            /* -z */
	nsec_t max_time;            /* --max-time; 0 = none */
	int port;                   /* -p; -1 = method default */
	bool port_set;
	int tos;                    /* -t; -1 = default */
	bool dontfrag;              /* -F */
	bool mtu;                   /* --mtu */
	bool numeric;               /* -n */
	bool json;
	bool no_retry;              /* --no-retry: the model's behaviour */
	int verbose;
	const char *iface;          /* -i */
	struct addr source;         /* -s */
	const char *pcap_path;
	const char *host;
	long packetlen;             /* -1 = default */
};

enum trt_pstate {
	PR_IDLE,        /* not sent yet */
	PR_INFLIGHT,    /* sent, waiting for an answer or its deadline */
	PR_RETRY,       /* timed out, a paced retry is scheduled */
	PR_DONE,        /* answered, or given up (printed as *) */
	PR_STATES
};

struct trt_probe {
	enum trt_pstate state;
	int ttl;
	int sends;                  /* sends so far (identity = slot * TRT_MAX_SENDS + send) */
	bool retried;
	nsec_t tx_real[TRT_MAX_SENDS];  /* realtime of each send, for the RTT */
	nsec_t tx_mono;             /* monotonic time of the latest send */
	nsec_t retry_at;            /* PR_RETRY: monotonic time of the resend */
	size_t size;                /* packet length of the latest send */
	/* the answer */
	bool answered;
	bool final;                 /* the trace ends at this hop */
	struct addr from;
	nsec_t rtt;
	int recv_ttl;
	uint8_t icmp_type, icmp_code;
	char annot[16];             /* !H, !F-1400, ... */
	char ext[24];               /* TCP: flags of the answer, for -v / json */
	uint32_t mtu_shown;         /* --mtu: F=<mtu> printed with this probe */
};

/* What a reply says about one probe, from the matcher. */
struct trt_reply {
	int slot;                   /* probe table index */
	int send;                   /* which send of that slot it answers */
	struct addr from;
	int recv_ttl;
	bool is_icmp_error;
	uint8_t type, code;
	uint32_t mtu;               /* frag-needed / too-big next-hop MTU */
	bool final;                 /* port unreachable, echo reply, TCP answer, or a !X */
	bool too_big;
	char annot[16];
	char ext[24];
	const uint8_t *quote;       /* the quoted probe (for -v) */
	size_t quote_len;
	size_t l4_quoted;           /* bytes of the probe's L4 header and payload quoted */
};

struct trt;
struct rxmeta;

/* What a method needs from the privileged phase (main.c opens it before
 * priv_drop; ARCHITECTURE.md: least-privileged socket first). */
enum trt_icmp_need {
	TRT_ICMP_OPTIONAL,  /* UDP: errors come on the probe socket's error queue
			       (IP_RECVERR); a raw socket is opened only when the
			       capability is there, for what the queue cannot carry */
	TRT_ICMP_PING,      /* -I: a ping socket where ping_group_range allows, else raw */
	TRT_ICMP_RAW,       /* -T: raw ICMP (and raw TCP) or nothing */
};

/* A probe method: a const table of function pointers (ARCHITECTURE.md). */
struct trt_method {
	const char *name;
	uint8_t proto;                       /* IPPROTO_UDP / ICMP / TCP of the probes */
	size_t hdr_len;                      /* L4 header bytes of a probe */
	enum trt_icmp_need icmp_need;        /* the ICMP socket main.c opens */
	bool raw_tcp;                        /* also a raw TCP socket (-T) */
	/* Quoted L4 bytes an ICMP error needs for the error queue to name the
	 * probe; a raw socket's copy of a shorter quote is the only one that can. */
	size_t errq_id_len;
	/* After the drop and the route lookup: unprivileged sockets, ports. */
	int (*setup)(struct trt *t);
	/* Send one probe; size is the whole IP packet length. */
	int (*send)(struct trt *t, int slot, int send, int ttl, size_t size);
	/* The quoted L4 header of an ICMP error -> slot/send, or -1. */
	int (*match_quote)(const struct trt *t, const uint8_t *l4, size_t len, int *send);
	/* A direct answer (echo reply, TCP segment; l4 is its header) -> slot/send, or -1. */
	int (*match_direct)(const struct trt *t, const struct addr *from, uint8_t proto,
			    const uint8_t *l4, size_t len, int *send, char *ext, size_t extlen);
	/* An error-queue message: data is what the kernel returns after the
	 * probe's own L4 header (UDP: the quoted payload; ping socket: the quoted
	 * ICMP header on), port the probe's destination port -> slot/send, or -1. */
	int (*match_errq)(const struct trt *t, const uint8_t *data, size_t len, uint16_t port,
			  int *send);
};

extern const struct trt_method *const trt_methods[];
/* methods.c: send buf to the destination (port for UDP) on tx_fd. */
int trt_sendto(struct trt *t, const void *buf, size_t len, uint16_t port);

struct trt {
	const struct trt_conf *conf;
	const struct trt_method *m;
	const struct ipfam *fam;
	struct loop *loop;
	struct addr dst, src;
	char dst_name[256];
	int ifindex;
	/* sockets */
	int icmp_fd[2];             /* raw ICMP (v4, v6): receives every error */
	int tcp_fd[2];              /* raw TCP (v4, v6): -T send and receive */
	int fd;                     /* the one ICMP fd for the chosen family (-1: none, UDP
				       then hears errors only on its error queue) */
	bool icmp_dgram;            /* fd is a ping socket: no IP header, errors on its error queue */
	int errq_fd;                /* the socket whose error queue carries ICMP errors (-1: none) */
	int tx_fd;                  /* the probe socket */
	int hold_fd;                /* -T: the TCP socket that holds our port */
	uint16_t sport, dport;      /* the flow (Paris: fixed for the run) */
	uint16_t ident;             /* ICMP id */
	uint32_t isn;               /* TCP: seq base */
	size_t hdr_total;           /* IP + L4 header */
	size_t size;                /* current probe packet length */
	/* the probe table */
	struct trt_probe *probes;
	int nprobes;
	int next_send, inflight, next_print;
	int final_ttl;              /* lowest TTL that ended the trace (INT_MAX: none) */
	nsec_t start, next_retry;   /* monotonic */
	nsec_t last_send;
	bool reached;               /* the destination itself answered */
	bool finished;
	/* printing */
	int line_ttl;               /* TTL of the open output line, 0 = none */
	/* path MTU (--mtu) */
	uint32_t pmtu;              /* current size */
	uint32_t shown_mtu;         /* last F= printed */
	uint32_t first_mtu;
	struct {
		bool active, found, confirmed;
		int ttl;                /* the hop big probes stopped reaching */
		size_t lo, hi, mid;     /* lo passes, hi vanishes, mid is being tried */
		size_t orig;            /* the size whose probes vanished */
		int steps;
		struct addr before, after;
		bool have_before, have_after;
		int slot;               /* probe table slot of the test probe */
	} bh;
	/* counters */
	long long ignored, sent, retries;
	/* output */
	struct decode dec;
	struct pcap pcap;
	uint8_t *rxbuf, *txbuf, *viewbuf;
	struct addr rx_from;        /* sender of the packet being shown (v6 raw: no IP header) */
	FILE *out;
	struct addr_names names;    /* one reverse lookup per router, not per probe */
};

/* options.c */
int trt_parse_options(int argc, char **argv, struct trt_conf *conf);
void trt_usage(FILE *f, const char *prog);

/* trace.c: the table and its scheduler */
int trt_table_init(struct trt *t);
void trt_start(struct trt *t);
/* The one place a probe changes state (-vv logs every transition). */
void trt_set_state(struct trt *t, int slot, enum trt_pstate s);
/* Expire, retry, send and print until nothing changes; arm the timer. */
void trt_progress(struct trt *t);
/* Probes beyond the final hop will never be printed: forget them. */
void trt_discard_beyond(struct trt *t);
void trt_on_signal(void *arg, int signo);
int trt_exit_code(const struct trt *t);
int trt_slot_ttl(const struct trt *t, int slot);
/* Send slot's next probe at size (trace.c does the bookkeeping). */
int trt_send_slot(struct trt *t, int slot, size_t size);
/* Release probes parked during a black-hole search: resend now (found)
 * or as their paced retry (not found). */
void trt_unpark(struct trt *t, bool as_retry);

/* wait.c: deadlines and the retry policy */
nsec_t trt_probe_wait(const struct trt *t, int slot);
nsec_t trt_bh_wait(const struct trt *t);
/* Silent hop, the hop before answered, nothing beyond has answered. */
bool trt_is_frontier(const struct trt *t, int slot);
bool trt_retry_eligible(const struct trt *t, int slot);
void trt_schedule_retry(struct trt *t, int slot);
bool trt_frontier_gave_up(const struct trt *t, int slot);
int trt_frontier_hold(const struct trt *t);

/* reply.c: record a matched reply; the socket callbacks */
void trt_on_reply(struct trt *t, const struct trt_reply *r, nsec_t rx_real);
void trt_rx(void *arg, int fd, short revents);
void trt_rx_errq(void *arg, int fd, short revents);

/* match.c: classify a packet from the raw ICMP socket (v4 with its IP
 * header, v6 without) and find the probe it answers.  Pure: the fuzz
 * harness drives it.  Returns 0 with r filled, or -1 (ignored). */
int trt_match_icmp(const struct trt *t, const uint8_t *pkt, size_t len, const struct addr *from,
		   int recv_ttl, struct trt_reply *r);
/* The annotation Butskoy prints for an ICMP error (!H, !F-1400...),
 * "" for time exceeded and port unreachable; sets *final. */
void trt_annotation(const struct ipfam *fam, uint8_t type, uint8_t code, uint32_t info,
		    char *buf, size_t len, bool *final);
/* match.c: an error-queue message (sock_recv with errqueue: data after the
 * probe's L4 header, meta with the extended error, to/port the probe's
 * destination) -> the probe it answers.  Pure, like trt_match_icmp. */
int trt_match_errq(const struct trt *t, const uint8_t *data, size_t len, const struct rxmeta *meta,
		   const struct addr *to, uint16_t port, struct trt_reply *r);
/* method_tcp.c: a segment on the raw TCP socket (v4 with IP header). */
int trt_match_tcp(const struct trt *t, const uint8_t *pkt, size_t len, const struct addr *from,
		  int recv_ttl, struct trt_reply *r);

/* methods: a probe's identity on the wire */
static inline uint32_t trt_ident(int slot, int send) { return (uint32_t)(slot * TRT_MAX_SENDS + send + 1); }
static inline int trt_ident_slot(uint32_t id, int *send)
{
	if (id == 0)
		return -1;
	*send = (int)((id - 1) % TRT_MAX_SENDS);
	return (int)((id - 1) / TRT_MAX_SENDS);
}

/* pmtu.c */
void trt_pmtu_init(struct trt *t, uint32_t if_mtu);
/* A too-big answer to a probe of probe_size: lower the size; true when
 * that probe should be sent again at t->size. */
bool trt_pmtu_lower(struct trt *t, size_t probe_size, uint32_t mtu);
/* A probe timed out: is it (now) waiting on a black-hole search?  Starts
 * one at a frontier hop when --mtu is on. */
bool trt_bh_check(struct trt *t, int slot);
void trt_bh_on_result(struct trt *t, bool answered, const struct addr *from);
void trt_pmtu_summary(struct trt *t);

/* output.c */
void out_header(struct trt *t);
void out_probe(struct trt *t, int slot);
void out_end_line(struct trt *t);
void out_hop_json(struct trt *t, int ttl);
void out_summary_json(struct trt *t);
void out_packet(struct trt *t, const char *what, const uint8_t *pkt, size_t len, bool l4_only,
		uint8_t proto, int ttl, bool outgoing);
/* An error from the error queue, rebuilt as the ICMP packet it was. */
void out_errq(struct trt *t, const struct rxmeta *m, const uint8_t *data, size_t len);
const char *out_name(struct trt *t, const struct addr *a, char *buf, size_t len);

#endif
