/*
 * pcap — classic libpcap file writer (see pcap.h).
 *
 * File format (draft-ietf-opsawg-pcap): a 24-byte file header, then per
 * record a 16-byte header and the bytes.  Both headers are in the
 * writer's own byte order; readers recognise it from the magic.  We use
 * the nanosecond-resolution magic 0xa1b23c4d because our timestamps are
 * kernel nanoseconds and a student comparing RTTs wants all the digits.
 *
 * Each record is flushed as it is written, so a run that is killed still
 * leaves a readable file and `tcpdump -r` works while the tool runs.
 */
#include "pcap.h"

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "ip.h"

#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
/* Larger than any frame we send or receive (tcpdump's default too). */
#define PCAP_SNAPLEN 262144u

static int put(struct pcap *p, const void *data, size_t len)
{
	if (len && fwrite(data, 1, len, p->f) != len) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

int pcap_open(struct pcap *p, const char *path, int linktype)
{
	p->f = fopen(path, "we");
	p->linktype = linktype;
	if (!p->f)
		return -1;
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = {
		.magic = PCAP_MAGIC_NS,
		.major = PCAP_VERSION_MAJOR, .minor = PCAP_VERSION_MINOR,
		.thiszone = 0, .sigfigs = 0,
		.snaplen = PCAP_SNAPLEN, .linktype = (uint32_t)linktype,
	};
	_Static_assert(sizeof(hdr) == 24, "pcap file header is 24 bytes");
	if (put(p, &hdr, sizeof(hdr)) != 0 || fflush(p->f) != 0) {
		int e = errno;
		fclose(p->f);
		p->f = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

/* Record header for a packet of len bytes whose first `caplen` are kept. */
static int put_record_header(struct pcap *p, nsec_t ts, size_t len)
{
	struct timespec t = clock_to_ts(ts);
	size_t caplen = len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN;
	uint32_t rec[4] = {
		(uint32_t)t.tv_sec, (uint32_t)t.tv_nsec,
		(uint32_t)caplen, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
	};
	return put(p, rec, sizeof(rec));
}

int pcap_write(struct pcap *p, nsec_t ts, const void *pkt, size_t len)
{
	if (!p->f) {
		errno = EBADF;
		return -1;
	}
	size_t caplen = len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN;
	if (put_record_header(p, ts, len) != 0 || put(p, pkt, caplen) != 0)
		return -1;
	return fflush(p->f) == 0 ? 0 : -1;
}

int pcap_write_l4(struct pcap *p, nsec_t ts, const struct addr *src, const struct addr *dst,
		  uint8_t proto, uint8_t ttl, const void *l4, size_t len)
{
	if (!p->f) {
		errno = EBADF;
		return -1;
	}
	const struct ipfam *fam = ipfam_get(src->family);
	if (!fam || dst->family != src->family) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* What the kernel would have put on the wire: no options, id 0, DF
	 * clear; ip_encode computes the IPv4 header checksum. */
	struct ip_hdr h = {
		.fam = fam, .ttl = ttl, .proto = proto, .src = *src, .dst = *dst,
	};
	uint8_t hdr[40];
	struct wr w = wr_init(hdr, sizeof(hdr));
	if (ip_encode(&w, &h, len) != 0) {
		errno = EMSGSIZE;
		return -1;
	}
	size_t hlen = wr_len(&w);
	size_t total = hlen + len;
	size_t caplen = total < PCAP_SNAPLEN ? total : PCAP_SNAPLEN;
	if (put_record_header(p, ts, total) != 0 || put(p, hdr, hlen) != 0 ||
	    put(p, l4, caplen - hlen) != 0)
		return -1;
	return fflush(p->f) == 0 ? 0 : -1;
}

void pcap_close(struct pcap *p)
{
	if (p->f)
		fclose(p->f);
	p->f = NULL;
}

int pcap_start(struct pcap *p, const char *prog, const char *path, int linktype)
{
	if (!path)
		return 0;
	if (pcap_open(p, path, linktype) < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	return 0;
}
