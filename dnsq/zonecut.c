/*
 * zonecut — what dnsq has learned about delegations: zone cuts with their
 * NS names, and the addresses of server names with where each came from.
 *
 * The closest enclosing cut for a name is found by chopping labels from
 * the left until a known zone matches (ldns' set_nss_for_name, unbound's
 * delegation point lookup); the root is always known (the hints).  Only
 * the resolver writes here, and only what classify.c accepted: NS sets
 * from referrals that passed the bailiwick check, glue under the zone of
 * the server that sent it, and addresses from dnsq's own walks.  Each
 * entry carries the generation (the index of the name in a -f batch) that
 * learned it, so the trace can say "remembered" when a later name reuses
 * it.  Both tables are fixed-size: a hostile run fills them and the rest
 * is used once but not kept.
 */
#include <stdlib.h>
#include <string.h>

#include "dnsq.h"

struct zc_zone {
	struct dns_name name;
	int nns;
	struct dns_name ns[DNSQ_MAX_NS];
	unsigned gen;
};

struct zc_host {
	struct dns_name name;
	int n;
	struct addr a[DNSQ_MAX_ADDRS];
	enum prov prov[DNSQ_MAX_ADDRS];
	unsigned gen[DNSQ_MAX_ADDRS];
	bool done_a, done_aaaa;
};

struct zcache {
	struct zc_zone *zones;
	int nzones;
	struct zc_host *hosts;
	int nhosts;
};

struct zcache *zonecut_new(void)
{
	struct zcache *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	z->zones = calloc(DNSQ_MAX_ZONES, sizeof(*z->zones));
	z->hosts = calloc(DNSQ_MAX_HOSTS, sizeof(*z->hosts));
	if (!z->zones || !z->hosts) {
		zonecut_free(z);
		return NULL;
	}
	return z;
}

void zonecut_free(struct zcache *z)
{
	if (!z)
		return;
	free(z->zones);
	free(z->hosts);
	free(z);
}

static struct zc_zone *zone_get(const struct zcache *z, const struct dns_name *name)
{
	for (int i = 0; i < z->nzones; i++)
		if (dns_name_eq(&z->zones[i].name, name))
			return &z->zones[i];
	return NULL;
}

static struct zc_host *host_get(const struct zcache *z, const struct dns_name *name)
{
	for (int i = 0; i < z->nhosts; i++)
		if (dns_name_eq(&z->hosts[i].name, name))
			return &z->hosts[i];
	return NULL;
}

static struct zc_host *host_make(struct zcache *z, const struct dns_name *name)
{
	struct zc_host *h = host_get(z, name);
	if (h || z->nhosts == DNSQ_MAX_HOSTS)
		return h;
	h = &z->hosts[z->nhosts++];
	memset(h, 0, sizeof(*h));
	h->name = *name;
	return h;
}

void zonecut_add_zone(struct zcache *z, const struct dns_name *zone, const struct dns_name *ns,
		      int nns, unsigned gen)
{
	struct zc_zone *e = zone_get(z, zone);
	if (!e) {
		if (z->nzones == DNSQ_MAX_ZONES)
			return;
		e = &z->zones[z->nzones++];
		e->name = *zone;
	}
	e->gen = gen;
	e->nns = nns < DNSQ_MAX_NS ? nns : DNSQ_MAX_NS;
	memcpy(e->ns, ns, (size_t)e->nns * sizeof(*ns));
}

void zonecut_add_addr(struct zcache *z, const struct dns_name *host, const struct addr *a,
		      enum prov prov, unsigned gen)
{
	struct zc_host *h = host_make(z, host);
	if (!h)
		return;
	for (int i = 0; i < h->n; i++)
		if (addr_eq(&h->a[i], a)) {
			if (h->prov[i] != PROV_HINT) {   /* learned again by this walk */
				h->prov[i] = prov;
				h->gen[i] = gen;
			}
			return;
		}
	if (h->n == DNSQ_MAX_ADDRS)
		return;
	h->a[h->n] = *a;
	h->prov[h->n] = prov;
	h->gen[h->n] = gen;
	h->n++;
}

void zonecut_host_done(struct zcache *z, const struct dns_name *host, uint16_t type, unsigned gen)
{
	(void)gen;
	struct zc_host *h = host_make(z, host);
	if (!h)
		return;
	if (type == DNS_T_AAAA)
		h->done_aaaa = true;
	else
		h->done_a = true;
}

bool zonecut_host_is_done(const struct zcache *z, const struct dns_name *host, uint16_t type)
{
	const struct zc_host *h = host_get(z, host);
	return h && (type == DNS_T_AAAA ? h->done_aaaa : h->done_a);
}

void zonecut_fill(const struct zcache *z, unsigned gen, struct dp *dp)
{
	for (int i = 0; i < dp->nns; i++) {
		struct dp_server *s = &dp->ns[i];
		const struct zc_host *h = host_get(z, &s->name);
		if (!h)
			continue;
		for (int k = 0; k < h->n; k++) {
			bool have = false;
			for (int j = 0; j < s->naddr; j++)
				have = have || addr_eq(&s->a[j], &h->a[k]);
			if (have || s->naddr == DNSQ_MAX_ADDRS)
				continue;
			s->a[s->naddr] = h->a[k];
			s->prov[s->naddr] = h->prov[k];
			s->remembered[s->naddr] = h->gen[k] != gen && h->prov[k] != PROV_HINT;
			s->tried[s->naddr] = false;
			s->naddr++;
		}
		if (h->done_a)
			s->target_a = true;
		if (h->done_aaaa)
			s->target_aaaa = true;
	}
}

void zonecut_find(const struct zcache *z, const struct dns_name *name, unsigned gen, struct dp *dp)
{
	struct dns_name cur = *name;
	const struct zc_zone *e = NULL;
	/* bounded: a name has at most 127 labels, each pass drops one */
	for (int i = 0; i <= DNS_NAME_MAX / 2 + 1; i++) {
		if ((e = zone_get(z, &cur)) != NULL || cur.len <= 1)
			break;
		dns_name_parent(&cur, &cur);
	}
	memset(dp, 0, sizeof(*dp));
	if (!e) {
		dns_name_root(&dp->zone);
		return;
	}
	dp->zone = e->name;
	dp->hints = e->name.len == 1 && e->gen == 0 && z->zones == e;
	dp->remembered = e->gen != gen && !dp->hints;
	dp->nns = e->nns;
	for (int i = 0; i < e->nns; i++)
		dp->ns[i].name = e->ns[i];
	zonecut_fill(z, gen, dp);
}

int zonecut_path(const struct zcache *z, const struct dns_name *name, unsigned gen, struct dp *out,
		 int max)
{
	struct dns_name cur = *name, found[DNSQ_ALL_MAX_ZONES];
	int n = 0;
	if (max > DNSQ_ALL_MAX_ZONES)
		max = DNSQ_ALL_MAX_ZONES;
	/* bounded: a name has at most 127 labels, each pass drops one;
	 * deepest first, so past max the cuts nearest the root are dropped */
	for (int i = 0; i <= DNS_NAME_MAX / 2 + 1 && n < max; i++) {
		if (zone_get(z, &cur))
			found[n++] = cur;
		if (cur.len <= 1)
			break;
		dns_name_parent(&cur, &cur);
	}
	for (int i = 0; i < n; i++)
		zonecut_find(z, &found[n - 1 - i], gen, &out[i]);
	return n;
}
