/*
 * dnsq — an iterative resolver that walks down from the root and shows
 * every step.
 *
 * struct dnsq_conf is filled by options.c and never changed afterwards.
 * struct dnsq is the run: the delegation memory (zonecut.c), the stack of
 * resolution frames (resolve.c: one per name being resolved, a glueless
 * NS name pushes a frame above the one that needs it), the query in
 * flight (transport.c) and the output state (output.c).
 *
 * Every loop that network input can drive is bounded by a constant here.
 */
#ifndef DNSQ_DNSQ_H
#define DNSQ_DNSQ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "clock.h"
#include "decode.h"
#include "loop.h"
#include "pcap.h"
#include "wire.h"

struct json;

/* SPEC limits: 16 CNAME links per resolution (a chain of 8 resolves, 20
 * fails), referral depth 32, 128 queries and 10 s per top-level name. */
#define DNSQ_MAX_CNAME 16
#define DNSQ_MAX_REFERRALS 32
#define DNSQ_DEF_MAX_QUERIES 128
#define DNSQ_DEF_MAX_TIME (10 * NS_PER_S)
/* Nested resolutions of NS names without glue.  Each level is a zone
 * whose servers live in yet another glueless zone; real delegations need
 * one or two, and each level costs a full walk (NXNS-style amplification
 * is what the limit is for). */
#define DNSQ_MAX_DEPTH 6
/* NS names kept per zone cut and addresses per NS name: more than any
 * real zone publishes (the root has 13 names with 2 addresses each); the
 * rest of a hostile referral is ignored and said so. */
#define DNSQ_MAX_NS 16
#define DNSQ_MAX_ADDRS 8
/* Delegations and server addresses remembered across one run (-f shares
 * them); when full, new ones are used but not remembered. */
#define DNSQ_MAX_ZONES 256
#define DNSQ_MAX_HOSTS 512
/* Datagrams read per wakeup: a flood of junk cannot starve the timers. */
#define DNSQ_MAX_RX_BURST 64
/* Notes (ignored records and packets) kept per step. */
#define DNSQ_MAX_NOTES 24
#define DNSQ_NOTE_LEN 256
/* Records kept for the final answer (chain plus RRset). */
#define DNSQ_MAX_ANSWERS 64
/* Lines in a -f batch file. */
#define DNSQ_MAX_BATCH 10000
#define DNSQ_DEF_BUFSIZE 1232    /* DNS flag day 2020 */
#define DNSQ_DEF_TIMEOUT (1 * NS_PER_S)
#define DNSQ_DEF_RETRIES 1
/* --all-servers (allsrv.c): every address of every NS of every zone on
 * the path is asked three questions, so the walk's budgets are too small;
 * these apply to the consistency phase unless --max-queries / --max-time
 * are given.  A silent address costs one timeout series, not three. */
#define DNSQ_DEF_ALL_QUERIES 256
#define DNSQ_DEF_ALL_TIME (30 * NS_PER_S)
#define DNSQ_ALL_MAX_ZONES (DNSQ_MAX_REFERRALS + 1)

/* Where a server address came from. */
enum prov { PROV_HINT, PROV_GLUE, PROV_RESOLVED, PROV_USER,
	    PROV_ZONE /* --all-servers: the zone's own NS answer (additional) */ };

struct dnsq_conf {
	const char *prog;
	const char *name;          /* positional name (NULL with -f) */
	uint16_t qtype;
	const char *batch;         /* -f FILE ("-" = stdin) */
	bool reverse;              /* -x */
	struct addr server;        /* @SERVER */
	bool has_server;
	uint16_t port;             /* -p, for @SERVER (53) */
	const char *root_hints;    /* --root-hints FILE */
	bool trace, short_out, json, all_servers;
	bool tcp, no_edns, dnssec;
	uint16_t bufsize;
	nsec_t timeout;
	int retries;
	int family;                /* -4 / -6 / AF_UNSPEC (transport) */
	int max_queries;
	nsec_t max_time;
	bool max_queries_set, max_time_set;   /* given on the command line */
	int verbose;
	const char *pcap_path;
};

/* One name's resolution outcome. */
enum outcome {
	OUT_NONE, OUT_ANSWER, OUT_NXDOMAIN, OUT_NODATA, OUT_FAIL,
	OUT_CNAME_LOOP, OUT_CNAME_LIMIT, OUT_REFERRAL_LIMIT, OUT_QUERY_LIMIT, OUT_TIME_LIMIT,
	OUT_DEPTH_LIMIT,
};

/* A delegation point: the zone cut and its servers (a frame's own copy). */
struct dp_server {
	struct dns_name name;
	int naddr;
	struct addr a[DNSQ_MAX_ADDRS];
	enum prov prov[DNSQ_MAX_ADDRS];
	bool remembered[DNSQ_MAX_ADDRS];
	bool tried[DNSQ_MAX_ADDRS];
	bool target_a, target_aaaa;   /* its own walk was started for A / AAAA */
};
struct dp {
	struct dns_name zone;
	bool remembered;              /* learned while resolving an earlier name */
	bool hints;                   /* the root hints */
	int nns;
	struct dp_server ns[DNSQ_MAX_NS];
};

/* A final record, kept as text (the message it came from is gone). */
struct answer {
	char owner[DNS_NAME_STRLEN];
	uint32_t ttl;
	uint16_t type;
	char *rdata;                  /* malloc'd presentation form */
	uint8_t addr[16];             /* A / AAAA bytes, for NS targets */
};

enum rstate { RS_INIT, RS_SELECT, RS_WAIT, RS_RESPONSE, RS_TARGET, RS_DONE, RS_STATES };

struct frame {
	enum rstate state;
	int depth;
	struct dns_name qname0;       /* the name asked */
	struct dns_name qname;        /* the name asked now (after CNAMEs) */
	uint16_t qtype;
	struct dp dp;
	int referrals, links;
	struct dns_name chain[DNSQ_MAX_CNAME + 1];   /* names seen, for loop detection */
	/* the server in use */
	int cur_ns, cur_addr, attempt;
	bool use_tcp, use_edns;
	/* the glueless NS being resolved by the frame above */
	int target_ns;
	uint16_t target_type;
	/* result */
	enum outcome outcome;
	uint16_t rcode;
	struct answer ans[DNSQ_MAX_ANSWERS];
	int nans;
	char why[DNSQ_NOTE_LEN];      /* failure detail */
	int queries_at_start;
};

/* The query in flight (transport.c). */
enum tx_status { TX_REPLY, TX_TIMEOUT, TX_NETERR };
struct xfer {
	bool active, tcp;
	int fd;
	struct addr server, local;
	uint16_t port, lport;
	uint16_t id;
	struct dns_name qname;
	uint16_t qtype;
	uint8_t query[DNS_NAME_MAX + 64];
	size_t qlen;
	nsec_t tx_real, deadline;
	/* TCP: bytes of the 2-byte length and message collected so far */
	bool connected;
	size_t rxlen;
	uint8_t *rx;                  /* DNS_MSG_MAX + 2 */
	int err;                      /* TX_NETERR errno */
	/* the reply handed to the resolver */
	struct dns_msg msg;
	size_t msglen;
	nsec_t rtt;
	int ignored;                  /* unrelated packets seen while waiting */
	int nnotes;                   /* why each was ignored, for the step */
	char notes[DNSQ_MAX_NOTES][DNSQ_NOTE_LEN];
};

/* One step of the trace, as output.c prints it. */
struct step {
	int n, depth;
	const struct dns_name *server;
	const struct addr *addr;
	enum prov prov;
	bool remembered;
	const struct dns_name *qname;
	uint16_t qtype;
	bool tcp, edns;
	const char *label;            /* "referral", "answer", "timeout", ... */
	const struct dns_msg *msg;    /* NULL for a timeout */
	nsec_t rtt;
	size_t bytes;
	int nnotes;
	char notes[DNSQ_MAX_NOTES][DNSQ_NOTE_LEN];
	int dropped_notes;
	const struct dns_name *cut;   /* referral: the new zone */
	const int *ns_idx;            /* referral: NS records */
	int nns;
	const int *glue_idx;
	int nglue;
	const int *rec_idx;           /* answer / cname / soa records shown */
	int nrec;
};

struct zcache;
struct allsrv;

struct dnsq {
	const struct dnsq_conf *conf;
	struct loop *loop;
	struct zcache *cache;
	struct frame *frames;         /* DNSQ_MAX_DEPTH + 1 */
	int nframes;
	struct xfer x;
	/* the current top-level name */
	unsigned gen;                 /* index of the name in a batch */
	int queries;
	nsec_t started;
	int steps;
	bool aborted;
	enum outcome abort_why;
	int ignored_total;
	/* batch */
	FILE *batch;
	int batch_lines;
	int worst;                    /* exit code over all names */
	/* output */
	FILE *out;
	struct decode dec;
	struct pcap pcap;
	nsec_t t0;
	/* --all-servers: the consistency phase after the walk (allsrv.c) */
	struct allsrv *all;
	/* main.c: called when a top-level name is finished */
	void (*finished)(struct dnsq *q, const struct frame *f);
};

/* options.c */
int dnsq_parse_options(int argc, char **argv, struct dnsq_conf *c);
void dnsq_usage(FILE *f, const char *prog);

/* hints.c */
int hints_load(struct dnsq *q, const char *path);

/* zonecut.c */
struct zcache *zonecut_new(void);
void zonecut_free(struct zcache *z);
void zonecut_add_zone(struct zcache *z, const struct dns_name *zone, const struct dns_name *ns,
		      int nns, unsigned gen);
void zonecut_add_addr(struct zcache *z, const struct dns_name *host, const struct addr *a,
		      enum prov prov, unsigned gen);
/* Record that a host's A (or AAAA) walk ended, found or not. */
void zonecut_host_done(struct zcache *z, const struct dns_name *host, uint16_t type, unsigned gen);
bool zonecut_host_is_done(const struct zcache *z, const struct dns_name *host, uint16_t type);
/* The closest enclosing zone cut known for name, with every address known
 * for its servers. */
void zonecut_find(const struct zcache *z, const struct dns_name *name, unsigned gen, struct dp *dp);
/* Refresh the addresses of dp's servers from memory (after a sub-walk). */
void zonecut_fill(const struct zcache *z, unsigned gen, struct dp *dp);
/* Every known zone cut enclosing name, root first, at most max; the count. */
int zonecut_path(const struct zcache *z, const struct dns_name *name, unsigned gen, struct dp *out,
		 int max);

/* transport.c */
int transport_send(struct dnsq *q, const struct addr *server, uint16_t port,
		   const struct dns_name *qname, uint16_t qtype, bool tcp, bool edns, bool rd,
		   nsec_t timeout);
void transport_cancel(struct dnsq *q);
bool transport_family_ok(const struct dnsq_conf *c, const struct addr *a);

/* resolve.c */
void resolve_start(struct dnsq *q, const struct dns_name *name, uint16_t qtype);
void resolve_on_transport(struct dnsq *q, enum tx_status st);
const char *resolve_state_name(enum rstate s);

/* classify.c */
enum cls {
	CL_ANSWER, CL_CNAME, CL_REFERRAL, CL_NXDOMAIN, CL_NODATA,
	CL_LAME, CL_REFUSED, CL_SERVFAIL, CL_FORMERR, CL_TRUNCATED,
};
struct verdict {
	enum cls cls;
	char why[DNSQ_NOTE_LEN];
	int rec[DNSQ_MAX_ANSWERS];    /* accepted answer records (chain + RRset [+ RRSIG]) */
	int nrec;
	int links;                    /* CNAME links inside this reply */
	struct dns_name target;       /* the name to go on with (CNAME) / last in chain */
	struct dns_name cut;          /* referral */
	int ns[DNSQ_MAX_NS];
	int nns;
	int glue[DNSQ_MAX_NS * DNSQ_MAX_ADDRS];
	int nglue;
	int soa;                      /* -1 when none */
};
void classify(const struct dns_msg *m, const struct dns_name *qname, uint16_t qtype,
	      const struct dns_name *zone, const struct dns_name *server, bool dnssec,
	      struct verdict *v, struct step *st);
const char *classify_label(enum cls c);
void step_note(struct step *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* output.c */
void out_step(struct dnsq *q, const struct step *st);
void out_subwalk(struct dnsq *q, int depth, const struct dns_name *name, uint16_t type,
		 const struct dns_name *zone, bool begin, const struct frame *f);
void out_start_cut(struct dnsq *q, const struct frame *f);
void out_result(struct dnsq *q, const struct frame *f);
void out_packet(struct dnsq *q, bool sent, const uint8_t *p, size_t len, const char *what,
		const struct addr *peer, uint16_t peer_port);
/* The -v application-layer printer for DNS (a decode_app_fn). */
void show_dns(const struct decode *d, int ipproto, uint16_t sport, uint16_t dport,
	      const uint8_t *payload, size_t len);

/* allsrv.c: --all-servers */
struct allsrv *allsrv_new(void);
void allsrv_free(struct allsrv *a);
/* Called instead of printing the result of a walk: asks every server of
 * every zone on the path, prints the report, then calls q->finished. */
void allsrv_start(struct dnsq *q, const struct frame *f);
void allsrv_on_transport(struct dnsq *q, enum tx_status st);
bool allsrv_active(const struct dnsq *q);
/* The walk of the current name is done and its report not made yet. */
bool allsrv_pending(const struct dnsq *q);
/* After the report: disagreements found, and whether it was cut short. */
int allsrv_disagreements(const struct dnsq *q);
bool allsrv_complete(const struct dnsq *q);
void allsrv_json_summary(const struct dnsq *q, struct json *j);

/* direct.c: @SERVER */
void direct_start(struct dnsq *q, const struct dns_name *name, uint16_t qtype);
void direct_on_transport(struct dnsq *q, enum tx_status st);
void out_direct(struct dnsq *q, const struct dns_msg *m, size_t len, nsec_t rtt);
const char *outcome_name(enum outcome o);
const char *prov_name(enum prov p, bool remembered);

#endif
