/*
 * pmtu — --mtu: path MTU discovery along the trace, and PMTU black holes.
 *
 * Probes start at the outgoing interface's MTU (netlink) with DF set
 * (IP_PMTUDISC_PROBE: the kernel's cached path MTU is ignored, so every
 * run measures the path afresh, unlike tracepath after a first run).  A
 * frag-needed / packet-too-big lowers the size and the probe is sent
 * again at once; several probes in flight may each be bounced by the
 * same router and are each resent.  The hop where the size changed shows
 * F=<mtu> (Butskoy), and the end of the run prints the path MTU and the
 * TCP MSS it implies.
 *
 * A black hole (a router that drops too-big DF packets without telling
 * anyone) shows as a frontier: the hop before answered, this hop and
 * everything after is silent.  Before such a hop is written off, a small
 * probe is sent at the same TTL; if it is answered, sizes are binary
 * searched (at most TRT_BH_MAX_STEPS probes) for the largest that passes,
 * the run continues at that size, and the summary names the two hops.
 * Search states: confirm (the small probe) -> bisect -> done.
 */
#include <stdio.h>
#include <string.h>

#include "traceroute.h"

/* RFC 1191 section 7 plateaus, for a too-big that carries no MTU. */
static const uint32_t plateaus[] = { 65535, 32000, 17914, 8166, 4352, 2002, 1492, 1280, 1006, 576, 508, 296, 68 };

static uint32_t min_mtu(const struct trt *t)
{
	return t->fam->family == AF_INET6 ? 1280 : 68;
}

void trt_pmtu_init(struct trt *t, uint32_t if_mtu)
{
	uint32_t m = if_mtu ? if_mtu : 1500;
	if (t->conf->packetlen > 0 && (uint32_t)t->conf->packetlen < m)
		m = (uint32_t)t->conf->packetlen;
	if (m < t->hdr_total)
		m = (uint32_t)t->hdr_total;
	t->pmtu = t->first_mtu = m;
	t->size = m;
}

bool trt_pmtu_lower(struct trt *t, size_t probe_size, uint32_t mtu)
{
	if (mtu == 0 || mtu >= probe_size) {
		/* An old router: no MTU in the message.  Take the next plateau. */
		mtu = 0;
		for (size_t i = 0; i < sizeof(plateaus) / sizeof(plateaus[0]); i++) {
			if (plateaus[i] < probe_size) {
				mtu = plateaus[i];
				break;
			}
		}
	}
	if (mtu < min_mtu(t) || mtu < t->hdr_total)
		return false;   /* a lie or nonsense: shown as !F, not obeyed */
	if (mtu < t->pmtu) {
		t->pmtu = mtu;
		t->size = mtu;
	}
	return probe_size > t->size;
}

/* ---------------------------------------------------------- black holes */

static void bh_send(struct trt *t, size_t size)
{
	struct trt_probe *p = &t->probes[t->bh.slot];
	p->ttl = t->bh.ttl;
	p->answered = false;
	t->bh.steps++;
	trt_send_slot(t, t->bh.slot, size);
}

static void bh_end(struct trt *t, bool found)
{
	t->bh.active = false;
	if (found) {
		t->bh.found = true;
		t->pmtu = (uint32_t)t->bh.lo;
		t->size = t->bh.lo;
	}
	trt_unpark(t, !found);
}

bool trt_bh_check(struct trt *t, int slot)
{
	if (t->bh.active)
		return t->probes[slot].ttl >= t->bh.ttl;
	const struct trt_probe *p = &t->probes[slot];
	size_t small = min_mtu(t) > t->hdr_total ? min_mtu(t) : t->hdr_total;
	if (t->bh.found || t->bh.steps || p->size <= small || !trt_is_frontier(t, slot))
		return false;
	int nq = t->conf->nqueries, hop0 = slot - slot % nq;
	t->bh.active = true;
	t->bh.ttl = p->ttl;
	t->bh.lo = small;
	t->bh.hi = t->bh.orig = p->size;
	t->bh.have_before = false;
	for (int i = hop0 - nq; i >= 0 && i < hop0; i++) {
		if (t->probes[i].answered) {
			t->bh.before = t->probes[i].from;
			t->bh.have_before = true;
			break;
		}
	}
	t->bh.confirmed = false;
	bh_send(t, small);
	return true;
}

void trt_bh_on_result(struct trt *t, bool answered, const struct addr *from)
{
	if (!t->bh.active)
		return;
	if (!t->bh.confirmed) {
		if (!answered) {
			bh_end(t, false);   /* the hop is silent for small packets too */
			return;
		}
		t->bh.confirmed = true;
		t->bh.after = *from;
		t->bh.have_after = true;
	} else if (answered) {
		t->bh.lo = t->bh.mid;
	} else {
		t->bh.hi = t->bh.mid;
	}
	if (t->bh.hi - t->bh.lo <= 1 || t->bh.steps >= TRT_BH_MAX_STEPS) {
		/* Found only if some size really vanished during the search:
		 * when every size up to the original passed, the original
		 * probe was merely lost. */
		bh_end(t, t->bh.hi < t->bh.orig);
		return;
	}
	t->bh.mid = t->bh.lo + (t->bh.hi - t->bh.lo) / 2;
	bh_send(t, t->bh.mid);
}

void trt_pmtu_summary(struct trt *t)
{
	if (t->conf->json)
		return;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	if (t->bh.found)
		fprintf(t->out,
			"PMTU black hole between hop %d (%s) and hop %d (%s): packets over %zu bytes vanish without ICMP\n",
			t->bh.ttl - 1, t->bh.have_before ? addr_fmt(&t->bh.before, a, sizeof(a)) : "?",
			t->bh.ttl, t->bh.have_after ? addr_fmt(&t->bh.after, b, sizeof(b)) : "?", t->bh.lo);
	fprintf(t->out, "path MTU %u (TCP MSS %u)\n", t->pmtu,
		t->pmtu - (uint32_t)t->fam->hdr_len - 20);
	fflush(t->out);
}
