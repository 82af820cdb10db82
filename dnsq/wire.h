/*
 * wire — dnsq's DNS codec (RFC 1035, 3596, 2782, 4034, 6891, 8659).
 *
 * Messages are decoded once, through common/buf.h readers, into a struct
 * dns_msg that keeps the raw bytes (RDATA with compressed names is turned
 * into text from them later).  Every name is decompressed with the rules
 * the parser CVEs of the last decade taught: pointers only strictly
 * backwards, a bounded number of jumps, labels <= 63, names <= 255 bytes,
 * the 0x40/0x80 label types refused.  Counts that claim more records than
 * the message holds, RDATA that does not fit its type, and a second OPT
 * record all reject the whole message, with a distinct error for each.
 */
#ifndef DNSQ_WIRE_H
#define DNSQ_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 1035 2.3.4: 255 bytes for a whole name on the wire, 63 per label. */
#define DNS_NAME_MAX 255
#define DNS_LABEL_MAX 63
/* Text form: every byte may become \DDD (4 chars) plus dots. */
#define DNS_NAME_STRLEN (DNS_NAME_MAX * 4 + 2)
/* Compression jumps per name.  Pointers must go strictly backwards, so a
 * loop is already impossible; the cap keeps a chain of 1-byte hops in a
 * 64 KB message from costing more than a few hundred reads (unbound:
 * MAX_COMPRESS_PTRS 256).  A 255-byte name has at most 127 labels, so 128
 * jumps is more than any honest encoder needs. */
#define DNS_MAX_PTRS 128
/* Resource records decoded from one message.  A 64 KB message can hold
 * ~5900 minimal records; real responses carry a few dozen.  Refusing
 * more bounds the work a hostile reply can cause. */
#define DNS_MAX_RRS 1024
/* EDNS options walked in one OPT record (unbound MAX_PARSED_EDNS_OPTIONS). */
#define DNS_MAX_EDNS_OPTS 100
#define DNS_MSG_MAX 65535
#define DNS_HDR_LEN 12

enum {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6, DNS_T_PTR = 12,
	DNS_T_HINFO = 13, DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_SRV = 33,
	DNS_T_DNAME = 39, DNS_T_OPT = 41, DNS_T_DS = 43, DNS_T_RRSIG = 46, DNS_T_NSEC = 47,
	DNS_T_DNSKEY = 48, DNS_T_CAA = 257, DNS_T_ANY = 255,
};
enum { DNS_C_IN = 1 };
enum {
	DNS_R_NOERROR = 0, DNS_R_FORMERR = 1, DNS_R_SERVFAIL = 2, DNS_R_NXDOMAIN = 3,
	DNS_R_NOTIMP = 4, DNS_R_REFUSED = 5, DNS_R_BADVERS = 16,
};
/* Header flag bits (RFC 1035 4.1.1, RFC 4035 3.2). */
#define DNS_F_QR 0x8000
#define DNS_F_AA 0x0400
#define DNS_F_TC 0x0200
#define DNS_F_RD 0x0100
#define DNS_F_RA 0x0080
#define DNS_F_AD 0x0020
#define DNS_F_CD 0x0010

/* Distinct reasons a message or name is refused; dns_strerror() words them. */
enum dns_err {
	DNS_OK = 0,
	DNS_E_SHORT,        /* ran off the end of the message */
	DNS_E_PTR_FWD,      /* compression pointer not strictly backwards (loops included) */
	DNS_E_PTR_MANY,     /* more than DNS_MAX_PTRS jumps */
	DNS_E_LABEL_LONG,   /* label longer than 63 */
	DNS_E_NAME_LONG,    /* name longer than 255 bytes */
	DNS_E_LABEL_TYPE,   /* 0x40 / 0x80 label types (RFC 6891 9: obsolete) */
	DNS_E_COUNT,        /* counts claim more records than there are, or too many */
	DNS_E_RDATA,        /* RDATA does not match its type or its RDLENGTH */
	DNS_E_OPT,          /* a second OPT, OPT outside the additional section or not at root */
	DNS_E_QDCOUNT,      /* not exactly one question where one is required */
	DNS_E_TEXT,         /* a name typed by the user is not a valid name */
};
const char *dns_strerror(enum dns_err e);

/* A name in uncompressed wire form (length bytes included, ending in 0). */
struct dns_name {
	uint8_t len;
	uint8_t wire[DNS_NAME_MAX];
};

struct dns_rr {
	struct dns_name name;
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdoff;        /* RDATA offset in the message */
	uint8_t section;     /* 1 answer, 2 authority, 3 additional */
};

struct dns_msg {
	const uint8_t *raw;  /* not owned: valid while the caller keeps it */
	size_t len;
	uint16_t id, flags;
	uint8_t opcode;
	uint16_t rcode;      /* with the EDNS extended bits */
	uint16_t qdcount, ancount, nscount, arcount;
	bool has_question;
	struct dns_name qname;
	uint16_t qtype, qclass;
	struct dns_rr *rr;   /* ancount + nscount + arcount minus the OPT */
	size_t nrr;
	size_t n_an, n_ns, n_ar;   /* per section, in rr[] order */
	bool edns;
	uint16_t edns_size;
	uint8_t edns_version;
	bool edns_do;
	uint16_t edns_nopts;
	size_t trailing;     /* bytes after the last record (tolerated, counted) */
};

/* Names. */
enum dns_err dns_name_read(const uint8_t *msg, size_t len, size_t *pos, struct dns_name *out);
enum dns_err dns_name_from_text(const char *text, struct dns_name *out);
/* Text with the trailing dot ("." for the root), RFC 1035 5.1 escapes. */
char *dns_name_fmt(const struct dns_name *n, char *buf, size_t len);
bool dns_name_eq(const struct dns_name *a, const struct dns_name *b);
/* Is sub equal to or below zone? */
bool dns_name_under(const struct dns_name *sub, const struct dns_name *zone);
int dns_name_labels(const struct dns_name *n);
/* Drop the leftmost label (the root stays the root). */
void dns_name_parent(const struct dns_name *n, struct dns_name *out);
void dns_name_root(struct dns_name *out);
/* Reverse-lookup name for an IPv4/IPv6 address (-x). */
enum dns_err dns_name_reverse(int family, const uint8_t *bytes, struct dns_name *out);

/* Messages. */
enum dns_err dns_msg_parse(struct dns_msg *m, const uint8_t *raw, size_t len);
void dns_msg_free(struct dns_msg *m);

struct dns_query {
	uint16_t id;
	const struct dns_name *qname;
	uint16_t qtype;
	bool rd;
	bool edns;
	uint16_t bufsize;
	bool do_bit;
};
/* Build a query into buf; returns its length, or 0 when it does not fit. */
size_t dns_query_build(uint8_t *buf, size_t cap, const struct dns_query *q);

/* Presentation format (wire_fmt.c). */
const char *dns_type_name(uint16_t type, char *buf, size_t len);   /* "A", "TYPE65" */
int dns_type_parse(const char *text, uint16_t *type);             /* 0 or -1 */
const char *dns_rcode_name(uint16_t rcode, char *buf, size_t len); /* "NOERROR", "RCODE23" */
/* "qr aa rd" */
const char *dns_flags_str(uint16_t flags, char *buf, size_t len);
/* RDATA alone ("192.0.2.1", "10 mail.example."), unknown types as
 * RFC 3597 "\# len hex".  Returns DNS_OK, or DNS_E_RDATA when the RDATA
 * is malformed for its type (buf then holds the generic form). */
enum dns_err dns_rdata_fmt(const struct dns_msg *m, const struct dns_rr *rr, char *buf, size_t len);
/* A whole record: "name<TAB>ttl<TAB>IN<TAB>TYPE<TAB>rdata". */
void dns_rr_fmt(const struct dns_msg *m, const struct dns_rr *rr, char *buf, size_t len);
/* Largest text any record can need (a 64 KB RDATA as hex). */
#define DNS_RR_STRLEN (DNS_MSG_MAX * 2 + 1024)

/* RDATA fields a resolver needs. */
enum dns_err dns_rdata_name(const struct dns_msg *m, const struct dns_rr *rr, struct dns_name *out);
/* SOA serial; 0 or -1. */
int dns_rdata_soa_serial(const struct dns_msg *m, const struct dns_rr *rr, uint32_t *serial);

#endif
