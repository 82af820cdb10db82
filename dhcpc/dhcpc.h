/*
 * dhcpc — a DHCPv4 client that shows its work.
 *
 * struct dhcpc_conf is filled by options.c and never changed afterwards;
 * struct dhcpc holds the run (the link, the state machine, the offers, the
 * lease, the loop).  msg.c is the BOOTP/DHCP codec, lease.c turns a reply
 * into a checked lease and its lint, fsm.c is the RFC 2131 state machine,
 * link.c and arp.c talk to the wire through a packet socket, apply.c
 * configures the interface and runs the hook, output.c prints.
 */
#ifndef DHCPC_DHCPC_H
#define DHCPC_DHCPC_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "clock.h"
#include "decode.h"
#include "ether.h"
#include "loop.h"
#include "pcap.h"

/* ------------------------------------------------------------- the codec */

/* RFC 2131 section 2: op..file is 236 bytes, then the magic cookie. */
#define DHCP_FIXED_LEN 236
#define DHCP_COOKIE 0x63825363u
#define DHCP_SNAME_LEN 64
#define DHCP_FILE_LEN 128
/* RFC 1542 / old relays: BOOTP messages shorter than this are dropped, so
 * what we send is padded to it (udhcpc and dnsmasq send 300 too). */
#define DHCP_MIN_LEN 300
/* Largest message we build or accept: an Ethernet MTU's worth. */
#define DHCP_MSG_MAX 1500
/* Bytes of one option instance (the length byte is 8 bits). */
#define DHCP_OPT_PART_MAX 255
/* Option instances read from one field.  Every instance costs at least one
 * byte (a pad), so the field's size already bounds the walk; the constant
 * names that bound for the reader of the loop (DHCP_MSG_MAX bytes). */
#define DHCP_MAX_OPT_INSTANCES DHCP_MSG_MAX

enum dhcp_type {
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK,
	DHCPRELEASE, DHCPINFORM,
};

enum dhcp_opt_code {
	OPT_PAD = 0, OPT_SUBNET = 1, OPT_ROUTER = 3, OPT_DNS = 6, OPT_HOSTNAME = 12,
	OPT_DOMAIN = 15, OPT_MTU = 26, OPT_BROADCAST = 28, OPT_NTP = 42, OPT_VENDOR_SPECIFIC = 43,
	OPT_REQ_IP = 50, OPT_LEASE = 51, OPT_OVERLOAD = 52, OPT_MSGTYPE = 53, OPT_SERVER_ID = 54,
	OPT_PRL = 55, OPT_MESSAGE = 56, OPT_MAX_SIZE = 57, OPT_T1 = 58, OPT_T2 = 59,
	OPT_VENDOR_CLASS = 60, OPT_CLIENT_ID = 61, OPT_RAPID_COMMIT = 80, OPT_RELAY_AGENT = 82,
	OPT_V6ONLY = 108, OPT_SEARCH = 119, OPT_CLASSLESS = 121, OPT_END = 255,
};

/* Where an option's bytes came from (RFC 2131 option 52: overload). */
enum dhcp_where { DHCP_IN_OPTIONS = 1, DHCP_IN_FILE = 2, DHCP_IN_SNAME = 4 };

/* One option after RFC 3396 concatenation of all its instances. */
struct dhcp_optv {
	uint16_t off, len;     /* into dhcp_msg.data */
	uint8_t where;         /* enum dhcp_where bits */
	uint8_t parts;         /* instances joined (saturates at 255) */
	bool present;
};

struct dhcp_msg {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	struct addr ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	uint8_t sname[DHCP_SNAME_LEN], file[DHCP_FILE_LEN];
	uint8_t overload;      /* option 52's value, 0 when none */
	bool no_end;           /* the options field had no End option */
	uint8_t type;          /* option 53, 0 when absent or malformed */
	size_t len;            /* bytes of the whole message */
	struct dhcp_optv opt[256];
	uint8_t order[256];    /* codes in order of first appearance */
	uint16_t norder;
	uint8_t data[DHCP_MSG_MAX];
};

#define DHCP_FLAG_BROADCAST 0x8000

/* Walk one raw option field (RFC 2132 section 2): pad and end have no
 * length byte; every other option's length is checked against the field. */
struct dhcp_iter {
	struct rd r;
	bool ended;            /* End seen */
	unsigned steps;
};
struct dhcp_iter dhcp_iter_init(const uint8_t *p, size_t len);
/* 1: *code and *val (a reader over its bytes) set; 0: end of field (End or
 * no bytes left); -1: an option runs past the field (*code is set). */
int dhcp_iter_next(struct dhcp_iter *it, uint8_t *code, struct rd *val);

/* Parse a BOOTP/DHCP message.  0, or -1 with *why (a static string). */
int dhcp_parse(const uint8_t *p, size_t len, struct dhcp_msg *m, const char **why);
/* An option's bytes after concatenation, NULL when absent. */
const uint8_t *dhcp_opt(const struct dhcp_msg *m, uint8_t code, size_t *len);
bool dhcp_opt_addr(const struct dhcp_msg *m, uint8_t code, struct addr *a);
bool dhcp_opt_u32(const struct dhcp_msg *m, uint8_t code, uint32_t *v);

/* What we send. */
struct dhcp_out {
	uint8_t type;
	uint32_t xid;
	uint16_t secs, flags;
	struct addr ciaddr;
	uint8_t chaddr[ETHER_ADDR_LEN];
	struct addr req_ip, server_id;      /* options 50, 54 (unset: omitted) */
	const uint8_t *prl; size_t prl_len; /* option 55 */
	const char *hostname;               /* 12 */
	const uint8_t *client_id; size_t client_id_len;   /* 61 */
	const char *vendor_class;           /* 60 */
	const char *message;                /* 56 (DECLINE reason) */
	uint16_t max_size;                  /* 57, 0: omitted */
};
/* Build into buf; returns the length or 0 when it does not fit.  Options
 * longer than 255 bytes are split into instances (RFC 3396). */
size_t dhcp_build(uint8_t *buf, size_t cap, const struct dhcp_out *o);

const char *dhcp_type_name(uint8_t type);     /* "DISCOVER", ... "TYPE9" */
const char *dhcp_opt_name(uint8_t code);      /* "subnet-mask", ... or NULL */

/* ----------------------------------------------------------- the lease */

#define DHCP_MAX_ADDRS 8       /* routers / DNS / NTP servers kept */
#define DHCP_MAX_ROUTES 32     /* option 121 routes kept (more are counted) */
#define DHCP_NAME_MAX 254      /* a DNS name in text, with room for the NUL */
#define DHCP_LINT_MAX 24
#define DHCP_LINT_LEN 200
#define DHCP_INFINITE 0xffffffffu

struct dhcp_route {
	struct addr dst, gw;
	unsigned prefix;
};

struct dhcp_lint {
	int n;
	char msg[DHCP_LINT_MAX][DHCP_LINT_LEN];
};

struct dhcp_lease {
	struct addr addr, server_id, mask, broadcast, siaddr, giaddr;
	unsigned prefix;
	bool has_mask, has_server_id, has_lease, has_broadcast;
	struct addr routers[DHCP_MAX_ADDRS], dns[DHCP_MAX_ADDRS], ntp[DHCP_MAX_ADDRS];
	int nrouters, ndns, nntp;
	struct dhcp_route routes[DHCP_MAX_ROUTES];
	int nroutes;
	bool has_classless;
	char domain[DHCP_NAME_MAX], hostname[DHCP_NAME_MAX];   /* validated; "" when none/withheld */
	bool domain_withheld, hostname_withheld;
	char message[256];     /* option 56, escaped for a terminal */
	uint32_t lease, t1, t2;   /* seconds; t1/t2 as used (given or derived) */
	bool t1_given, t2_given;
	uint32_t mtu;
};

/* Fill l from m; warnings go to lint (may be NULL).  prl/prl_len is what
 * we asked for, for the "never requested" check. */
void dhcp_lease_from(const struct dhcp_msg *m, struct dhcp_lease *l, struct dhcp_lint *lint,
		     const uint8_t *prl, size_t prl_len);
/* RFC 1123 host name / DNS domain in text form. */
bool dhcp_valid_name(const char *s, size_t len);
/* Printable, terminal-safe copy (\xNN for anything else); returns out. */
const char *dhcp_escape(const uint8_t *p, size_t len, char *out, size_t cap);
void dhcp_lint_add(struct dhcp_lint *lint, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Decode option 121 (RFC 3442); -1 when malformed. */
int dhcp_parse_classless(const uint8_t *p, size_t len, struct dhcp_route *out, int max, int *n);
/* One option's value as text ("10.0.0.1, 10.0.0.2", "600 (10m)", ...). */
const char *dhcp_opt_text(const struct dhcp_msg *m, uint8_t code, char *out, size_t cap);

/* --------------------------------------------------------- configuration */

#define DHCPC_MAX_PRL 64
#define DHCPC_MAX_CLIENT_ID 255
#define DHCPC_DEFAULT_TIMEOUT (30 * NS_PER_S)
#define DHCPC_DEFAULT_OFFERS_TIMEOUT (3 * NS_PER_S)
#define DHCPC_DEFAULT_RETRIES 4

struct dhcpc_conf {
	const char *prog;
	const char *iface;
	struct addr req_ip;          /* -r */
	bool reboot;                 /* --reboot: INIT-REBOOT for -r */
	const char *hostname;        /* -H */
	uint8_t client_id[DHCPC_MAX_CLIENT_ID];
	size_t client_id_len;        /* -C; 0: type 1 + MAC */
	bool no_client_id;           /* -C '' */
	const char *vendor_class;    /* -V */
	uint8_t prl[DHCPC_MAX_PRL];
	size_t prl_len;
	uint8_t mac[ETHER_ADDR_LEN];
	bool mac_set;                /* -m */
	bool broadcast;              /* -B */
	bool offers;                 /* --offers */
	bool apply;                  /* --apply */
	const char *script;          /* -s */
	bool foreground;             /* -f */
	bool release;                /* --release */
	bool arp_check;              /* --arp-check */
	nsec_t timeout;              /* --timeout */
	int retries;                 /* --retries */
	bool json;
	int verbose;
	bool quiet;                  /* -q */
	const char *pcap_path;
};

/* ------------------------------------------------------------- the run */

enum dhcpc_state {
	ST_INIT, ST_SELECTING, ST_REQUESTING, ST_BOUND, ST_RENEWING, ST_REBINDING,
	ST_INIT_REBOOT, ST_ARP_CHECK, ST_RELEASED, ST_DONE,
};

#define DHCPC_MAX_OFFERS 16      /* offers kept (more are counted) */
#define DHCPC_RX_BUF 4096
/* RFC 2131 4.1: 4 s doubling to 64 s, +-1 s. */
#define DHCPC_RTX_BASE (4 * NS_PER_S)
#define DHCPC_RTX_MAX (64 * NS_PER_S)
/* RFC 2131 4.4.5: retransmit in RENEWING/REBINDING no sooner than 60 s. */
#define DHCPC_RENEW_MIN (60 * NS_PER_S)
/* RFC 2131 3.1.5: wait at least 10 s after a DECLINE. */
#define DHCPC_DECLINE_WAIT (10 * NS_PER_S)
/* RFC 5227-style probe: 3 probes, 300 ms apart, 400 ms more to listen. */
#define DHCPC_ARP_PROBES 3
#define DHCPC_ARP_GAP (300 * NS_PER_MS)
#define DHCPC_ARP_WAIT (400 * NS_PER_MS)
/* A hook script gets this long before it is killed. */
#define DHCPC_HOOK_TIMEOUT (10 * NS_PER_S)

struct dhcpc_offer {
	struct dhcp_msg msg;
	struct addr server_id;
	uint8_t l2src[ETHER_ADDR_LEN];
	nsec_t at;                  /* monotonic */
	bool chosen;
};

/* One received frame after link-layer checks. */
struct dhcpc_rx {
	const uint8_t *frame;
	size_t frame_len;
	uint8_t l2src[ETHER_ADDR_LEN];
	struct addr src, dst;
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t payload_len;
	bool l2_broadcast;
	nsec_t ts;                  /* realtime ns */
};

struct dhcpc {
	const struct dhcpc_conf *conf;
	struct loop *loop;
	FILE *out;
	int ifindex;
	char ifname[IF_NAMESIZE];
	uint8_t hw[ETHER_ADDR_LEN];   /* the interface's own MAC */
	uint8_t chaddr[ETHER_ADDR_LEN];   /* what we put in chaddr and the frame source */
	uint8_t client_id[DHCPC_MAX_CLIENT_ID + 1];
	size_t client_id_len;
	uint8_t prl[DHCPC_MAX_PRL + 8];
	size_t prl_len;
	int fd;                     /* packet socket, UDP/68 */
	int arp_fd;                 /* packet socket, ARP (-1 when unused) */
	uint8_t *rxbuf;
	uint8_t txbuf[ETHER_HDR_LEN + 28 + DHCP_MSG_MAX];

	enum dhcpc_state state;
	uint32_t xid;
	nsec_t start;               /* monotonic, run start (for stamps) */
	nsec_t xchg_start;          /* monotonic, this exchange's first send (secs) */
	nsec_t deadline;            /* monotonic, give up then (one-shot) */
	nsec_t last_tx;             /* monotonic, last send (step timings) */
	nsec_t rtx_interval;
	int tries;
	nsec_t t_discover, t_request;   /* monotonic, first DISCOVER/REQUEST of the exchange */
	nsec_t offer_rtt, ack_rtt;      /* last send -> chosen OFFER / ACK (0: none) */

	struct dhcpc_offer *offers;
	int noffers, offers_dropped;
	int chosen;                 /* index into offers, -1 none */
	struct addr server_id;      /* the server we deal with */
	uint8_t server_mac[ETHER_ADDR_LEN];

	struct dhcp_msg ack;
	struct dhcp_lease lease;
	struct dhcp_lint lint;
	struct dhcp_lint offer_lint;   /* the chosen OFFER's findings, until printed */
	bool have_lease;
	bool applied;
	nsec_t bound_at;            /* monotonic */
	int arp_sent;
	bool arp_conflict;
	uint8_t arp_conflict_mac[ETHER_ADDR_LEN];

	/* counters for the summary */
	long long sent, received, ignored, malformed, naks;
	int exit_code;
	const char *result;         /* "lease", "offers", "no offer", "nak", ... */

	struct decode dec;
	struct pcap pcap;
};

/* options.c */
int dhcpc_parse_options(int argc, char **argv, struct dhcpc_conf *c);
void dhcpc_usage(FILE *f, const char *prog);

/* link.c */
int link_open(void);
int link_setup(struct dhcpc *d);
/* Build Ethernet + IPv4 + UDP around a DHCP message and send it. */
int link_send(struct dhcpc *d, const uint8_t *dst_mac, const struct addr *src,
	      const struct addr *dst, const uint8_t *msg, size_t len);
/* Read one frame; 1 with rx filled, 0 when nothing (more) is queued, -1 on
 * a frame that failed the link/IP/UDP checks (counted; *why says which),
 * -2 for a frame to skip silently (one this host sent). */
int link_recv(struct dhcpc *d, struct dhcpc_rx *rx, const char **why);
/* Check one Ethernet frame (for link_recv and the unit tests). */
int link_parse_frame(const uint8_t *frame, size_t len, bool csum_unverified,
		     struct dhcpc_rx *rx, const char **why);

/* arp.c */
int arp_open(void);
int arp_setup(struct dhcpc *d);
void arp_check_start(struct dhcpc *d);

/* fsm.c */
extern const char *const dhcpc_state_names[];
void fsm_start(struct dhcpc *d);
void fsm_on_signal(void *arg, int signo);
void fsm_arp_done(struct dhcpc *d, bool conflict);

/* apply.c */
int apply_lease(struct dhcpc *d);
int apply_deconfig(struct dhcpc *d);
/* Run the hook for event ("bound", ...), environment from the lease. */
void hook_run(struct dhcpc *d, const char *event);
/* Build the hook environment (exposed for the unit tests): fills env[]
 * with pointers into buf; returns the count or -1 when it does not fit. */
int hook_env(const struct dhcpc *d, const struct dhcp_lease *l, char *buf, size_t cap,
	     char **env, int max);

/* output.c */
void out_header(struct dhcpc *d);
void out_step_sent(struct dhcpc *d, const struct dhcp_out *o, const struct addr *src,
		   const struct addr *dst, bool l2_broadcast);
void out_step_recv(struct dhcpc *d, const struct dhcpc_rx *rx, const struct dhcp_msg *m,
		   const char *note);
void out_note(struct dhcpc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_warn(struct dhcpc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_lease(struct dhcpc *d);
void out_offers(struct dhcpc *d);
void out_lint(struct dhcpc *d, const struct dhcp_lint *lint);
/* The chosen OFFER's findings as "OFFER: ..." warnings, leaving out those
 * the ACK's lint repeats (ack NULL: all of them). */
void out_offer_lint(struct dhcpc *d, const struct dhcp_lint *offer, const struct dhcp_lint *ack);
void out_summary(struct dhcpc *d);
void out_ignored(struct dhcpc *d, const uint8_t *frame, size_t len, const char *why);
void out_packet(struct dhcpc *d, const char *what, const uint8_t *frame, size_t len, nsec_t ts);
/* The -v application-layer printer for DHCP payloads. */
void out_decode_dhcp(const struct decode *dec, int ipproto, uint16_t sport, uint16_t dport,
		     const uint8_t *payload, size_t len);

#endif
