/*
 * arping — ARP requests, duplicate address detection and announcements
 * with iputils' behaviour, output and exit codes; --scan sweeps a subnet.
 *
 * struct arping_conf is filled by options.c and never changed afterwards;
 * struct arping holds the run: the packet socket, the link and addresses
 * learned from the kernel, counters, the MACs that answered.  arping.c
 * sends and matches (probe, -D, -U, -A), scan.c sweeps, output.c prints.
 */
#ifndef ARPING_ARPING_H
#define ARPING_ARPING_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "clock.h"
#include "decode.h"
#include "ether.h"
#include "loop.h"
#include "pcap.h"
#include "stats.h"

/* Largest frame we read: a full Ethernet frame (ARP is 42-60 bytes;
 * anything longer is padding we ignore). */
#define ARPING_RX_BUF 2048
/* Distinct MACs remembered for one address; a LAN where more than this
 * many stations claim one address is reported as "at least" this many. */
#define ARPING_MAX_MACS 16
/* --scan covers at most a /16: 65536 addresses is already a minute of
 * ARP at the default rate; anything larger is a mistake. */
#define ARPING_SCAN_MIN_PREFIX 16
#define ARPING_SCAN_DEFAULT_RATE 1000       /* probes per second */
#define ARPING_SCAN_MAX_RATE 20000          /* a hard ceiling: ARP is broadcast to everyone */
#define ARPING_SCAN_DEFAULT_RETRIES 2
#define ARPING_SCAN_MAX_RETRIES 10
#define ARPING_SCAN_DEFAULT_WAIT (250 * NS_PER_MS)
/* Conflicting (address, MAC) pairs a scan remembers to report each once. */
#define ARPING_SCAN_MAX_CONFLICTS 256
/* Transmit-stamp keys remembered (ring): far more than are ever in flight. */
#define ARPING_TXKEYS 65536

struct arping_conf {
	const char *prog;            /* argv[0] for messages */
	long long count;             /* -c; -1 = until interrupted */
	nsec_t deadline;             /* -w; 0 = none */
	nsec_t interval;             /* -i */
	const char *iface;           /* -I */
	const char *source_text;     /* -s as typed */
	struct addr source;          /* -s */
	bool quit_on_reply;          /* -f (and -D) */
	bool quiet, broadcast_only, dad, unsolicited, advert, json;
	int verbose;                 /* -v count */
	const char *pcap_path;       /* --pcap */
	const char *target;          /* destination as typed */
	/* --scan */
	const char *scan_text;
	struct addr scan_net;
	unsigned scan_prefix;
	long long rate;              /* --rate */
	int retries;                 /* --retries */
	nsec_t scan_wait;            /* --timeout: per try */
};

struct arping_mac {
	uint8_t mac[ETHER_ADDR_LEN];
	long long replies;
};

struct scan;

struct arping {
	const struct arping_conf *conf;
	struct loop *loop;
	int fd;
	int ifindex;
	char ifname[IF_NAMESIZE];
	uint8_t mymac[ETHER_ADDR_LEN];
	uint8_t bcast[ETHER_ADDR_LEN];
	struct addr dst;             /* the address asked about */
	struct addr src;             /* sender protocol address (0.0.0.0 for -D) */
	uint8_t he[ETHER_ADDR_LEN];  /* destination of the next probe */
	bool unicasting;

	long long sent, brd_sent, received, brd_recv, req_recv, ignored;
	long long ticks;             /* iputils' timer expiries, counted from 1 */
	nsec_t last_tx;              /* realtime send time of the latest probe (kernel stamp when it came) */
	nsec_t last_tx_user;         /* realtime just before that send */
	uint32_t last_key;           /* its transmit-stamp key */
	uint32_t tx_key;             /* next transmit-stamp key */
	bool tx_stamps;
	nsec_t start;                /* monotonic */
	bool finished;
	int exit_code;

	struct arping_mac macs[ARPING_MAX_MACS];
	int nmacs;
	bool conflict;
	struct stats rtt;

	struct decode dec;
	struct pcap pcap;
	FILE *out;
	uint8_t rxbuf[ARPING_RX_BUF];
	struct scan *scan;
};

/* One accepted ARP answer, as output.c prints it. */
struct arping_reply {
	const struct arp_msg *arp;
	bool broadcast;              /* frame was not addressed to us alone */
	long long rtt_us;            /* -1 when no probe was sent yet */
	bool new_mac;                /* first answer from this MAC */
	const uint8_t *first_mac;    /* conflict: the MAC that answered first */
};

/* options.c: 0 run, 1 -h/-V answered, -1 usage error. */
int arping_parse_options(int argc, char **argv, struct arping_conf *conf);
void arping_usage(FILE *f, const char *prog);

/* arping.c */
int arping_setup(struct arping *a);
void arping_start(struct arping *a);
void arping_on_signal(void *arg, int signo);
void arping_show(struct arping *a, const char *what, const void *frame, size_t len);
void arping_record(struct arping *a, nsec_t ts, const void *frame, size_t len);
/* Build an ARP frame into buf (ETHER_HDR_LEN + ARP_LEN bytes). */
size_t arping_build(const uint8_t dst_mac[ETHER_ADDR_LEN], const uint8_t src_mac[ETHER_ADDR_LEN],
		    const struct arp_msg *m, uint8_t *buf, size_t cap);
/* Read pending transmit stamps; calls back for each. */
void arping_drain_stamps(struct arping *a, void (*cb)(struct arping *a, uint32_t key, nsec_t ts));
/* µs between two realtime stamps, rounded, never negative. */
long long arping_us(nsec_t from, nsec_t to);

/* scan.c */
int scan_setup(struct arping *a);
void scan_start(struct arping *a);
void scan_stop(struct arping *a);
void scan_free(struct arping *a);

/* output.c */
void out_header(struct arping *a);
void out_reply(struct arping *a, const struct arping_reply *r);
void out_conflict(struct arping *a, const uint8_t *mac, const uint8_t *first);
void out_summary(struct arping *a);
void out_scan_header(struct arping *a, long long nhosts);
void out_scan_host(struct arping *a, const struct addr *ip, const uint8_t *mac, long long rtt_us,
		   int dup);
void out_scan_summary(struct arping *a, long long nhosts, long long sent, long long responded,
		      long long conflicts, nsec_t elapsed);
/* " 0.052ms": true microseconds, iputils' layout. */
const char *out_ms(long long us, char *buf, size_t len);

#endif
