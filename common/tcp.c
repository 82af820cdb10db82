/*
 * tcp — the TCP header and its options, see tcp.h.
 *
 * Decoding follows RFC 9293 section 3.1 field by field through the bounded
 * reader; options are walked inside a sub-reader over exactly the header's
 * option bytes, so a bad length can never reach the payload.  Encoding lays
 * the SYN options out the way Linux does (MSS, SACK-permitted + timestamps,
 * NOP + window scale): middleboxes are used to that shape, and a probe that
 * looks like a kernel SYN is treated like one.
 */
#include "tcp.h"

#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "cksum.h"

/* Option kinds (IANA "TCP Option Kind Numbers"). */
enum {
	OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WSCALE = 3,
	OPT_SACK_OK = 4, OPT_SACK = 5, OPT_TS = 8,
};

/* At most 40 option bytes (doff 15 * 4 - 20); every option takes at least
 * one byte, so this bounds the walk even without the reader's own bound. */
#define TCP_MAX_OPT_BYTES 40

/* RFC 7323 section 2.3: a window-scale shift above 14 is treated as 14. */
#define TCP_MAX_WSCALE 14

static void opts_decode(struct rd o, struct tcp_opts *t)
{
	for (int i = 0; i < TCP_MAX_OPT_BYTES && rd_left(&o) > 0; i++) {
		uint8_t kind = rd_u8(&o);
		if (kind == OPT_EOL)
			return;
		if (kind == OPT_NOP)
			continue;
		if (rd_left(&o) < 1) {
			t->malformed = true;
			return;
		}
		uint8_t len = rd_u8(&o);
		if (len < 2 || (size_t)(len - 2) > rd_left(&o)) {
			t->malformed = true;
			return;
		}
		struct rd v = rd_sub(&o, (size_t)len - 2);
		switch (kind) {
		case OPT_MSS:
			if (len != 4) {
				t->malformed = true;
				break;
			}
			t->has_mss = true;
			t->mss = rd_u16(&v);
			break;
		case OPT_WSCALE:
			if (len != 3) {
				t->malformed = true;
				break;
			}
			t->has_wscale = true;
			t->wscale = rd_u8(&v);
			if (t->wscale > TCP_MAX_WSCALE)
				t->wscale = TCP_MAX_WSCALE;
			break;
		case OPT_SACK_OK:
			if (len != 2) {
				t->malformed = true;
				break;
			}
			t->sack_ok = true;
			break;
		case OPT_TS:
			if (len != 10) {
				t->malformed = true;
				break;
			}
			t->has_ts = true;
			t->ts_val = rd_u32(&v);
			t->ts_ecr = rd_u32(&v);
			break;
		default:
			/* SACK blocks, MD5, TFO, ...: skipped by length. */
			break;
		}
	}
}

int tcp_decode(struct rd *r, struct tcp_hdr *h, bool *partial)
{
	memset(h, 0, sizeof(*h));
	if (partial)
		*partial = false;
	size_t avail = rd_left(r);
	if (avail < TCP_HDR_LEN) {
		/* RFC 792 promises only the first 8 bytes of a quoted datagram. */
		if (!partial || avail < 8)
			return -1;
		h->sport = rd_u16(r);
		h->dport = rd_u16(r);
		h->seq = rd_u32(r);
		*partial = true;
		rd_skip(r, rd_left(r));
		return rd_ok(r) ? 0 : -1;
	}
	h->sport = rd_u16(r);
	h->dport = rd_u16(r);
	h->seq = rd_u32(r);
	h->ack = rd_u32(r);
	uint8_t off = rd_u8(r);
	h->flags = rd_u8(r);
	h->window = rd_u16(r);
	h->cksum = rd_u16(r);
	h->urg = rd_u16(r);
	if (!rd_ok(r))
		return -1;
	h->doff = (uint8_t)((off >> 4) * 4);
	if (h->doff < TCP_HDR_LEN)
		return -1;
	size_t olen = h->doff - TCP_HDR_LEN;
	if (olen > rd_left(r)) {
		/* A quote that cut the options off: the fixed header stands. */
		if (!partial)
			return -1;
		*partial = true;
		h->opts.malformed = true;
		rd_skip(r, rd_left(r));
		return 0;
	}
	if (olen)
		opts_decode(rd_sub(r, olen), &h->opts);
	return rd_ok(r) ? 0 : -1;
}

static void opts_encode(struct wr *w, const struct tcp_opts *t)
{
	size_t start = wr_len(w);
	if (t->has_mss) {
		wr_u8(w, OPT_MSS);
		wr_u8(w, 4);
		wr_u16(w, t->mss);
	}
	if (t->has_ts) {
		if (t->sack_ok) {
			wr_u8(w, OPT_SACK_OK);
			wr_u8(w, 2);
		} else {
			wr_u8(w, OPT_NOP);
			wr_u8(w, OPT_NOP);
		}
		wr_u8(w, OPT_TS);
		wr_u8(w, 10);
		wr_u32(w, t->ts_val);
		wr_u32(w, t->ts_ecr);
	} else if (t->sack_ok) {
		wr_u8(w, OPT_NOP);
		wr_u8(w, OPT_NOP);
		wr_u8(w, OPT_SACK_OK);
		wr_u8(w, 2);
	}
	if (t->has_wscale) {
		wr_u8(w, OPT_NOP);
		wr_u8(w, OPT_WSCALE);
		wr_u8(w, 3);
		wr_u8(w, t->wscale);
	}
	while ((wr_len(w) - start) % 4)
		wr_u8(w, OPT_EOL);
}

int tcp_encode(struct wr *w, const struct addr *src, const struct addr *dst,
	       const struct tcp_hdr *h, const void *payload, size_t len)
{
	size_t start = wr_len(w);
	wr_u16(w, h->sport);
	wr_u16(w, h->dport);
	wr_u32(w, h->seq);
	wr_u32(w, h->ack);
	uint8_t *offp = wr_reserve(w, 1);
	wr_u8(w, h->flags);
	wr_u16(w, h->window);
	uint8_t *ck = wr_reserve(w, 2);
	wr_u16(w, h->urg);
	opts_encode(w, &h->opts);
	if (!wr_ok(w) || !offp || !ck)
		return -1;
	size_t hlen = wr_len(w) - start;
	if (hlen > 60)
		return -1;
	*offp = (uint8_t)((hlen / 4) << 4);
	if (len)
		wr_bytes(w, payload, len);
	if (!wr_ok(w))
		return -1;
	size_t total = wr_len(w) - start;
	if (total > 0xffff)
		return -1;
	be16_put(ck, 0);
	uint32_t sum = cksum_pseudo(src, dst, IPPROTO_TCP, (uint32_t)total);
	sum = cksum_add(sum, w->base + start, total);
	be16_put(ck, cksum_finish(sum));
	return 0;
}

bool tcp_cksum_ok(const struct addr *src, const struct addr *dst, const uint8_t *seg, size_t len)
{
	if (len < TCP_HDR_LEN || len > 0xffff)
		return false;
	uint32_t sum = cksum_pseudo(src, dst, IPPROTO_TCP, (uint32_t)len);
	sum = cksum_add(sum, seg, len);
	return cksum_finish(sum) == 0;
}

const char *tcp_flags_str(uint8_t flags, char *buf, size_t len)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {
		{ TCP_SYN, "SYN" }, { TCP_ACK, "ACK" }, { TCP_FIN, "FIN" }, { TCP_RST, "RST" },
		{ TCP_PSH, "PSH" }, { TCP_URG, "URG" }, { TCP_ECE, "ECE" }, { TCP_CWR, "CWR" },
	};
	if (!len)
		return buf;
	buf[0] = '\0';
	size_t used = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", names[i].name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "none");
	return buf;
}
