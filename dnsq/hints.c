/*
 * hints — where the walk starts: the root servers.
 *
 * Built in: IANA's root hints (named.root, last changed 2023-11 when
 * b.root-servers.net moved), as a const table checked at compile time
 * rather than text parsed at start-up.  --root-hints FILE reads the same
 * named.root format (RFC 1035 master-file lines: name [ttl] [class] type
 * rdata, ';' comments); only NS records for the root and A/AAAA records
 * for those NS names are used, and a file that yields no usable address
 * is an error.  Hints are loaded into the delegation memory as the root
 * zone with generation 0 and provenance "root hint".
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnsq.h"

static const struct {
	const char *name, *v4, *v6;
} iana_roots[] = {
	{ "a.root-servers.net.", "198.41.0.4", "2001:503:ba3e::2:30" },
	{ "b.root-servers.net.", "170.247.170.2", "2801:1b8:10::b" },
	{ "c.root-servers.net.", "192.33.4.12", "2001:500:2::c" },
	{ "d.root-servers.net.", "199.7.91.13", "2001:500:2d::d" },
	{ "e.root-servers.net.", "192.203.230.10", "2001:500:a8::e" },
	{ "f.root-servers.net.", "192.5.5.241", "2001:500:2f::f" },
	{ "g.root-servers.net.", "192.112.36.4", "2001:500:12::d0d" },
	{ "h.root-servers.net.", "198.97.190.53", "2001:500:1::53" },
	{ "i.root-servers.net.", "192.36.148.17", "2001:7fe::53" },
	{ "j.root-servers.net.", "192.58.128.30", "2001:503:c27::2:30" },
	{ "k.root-servers.net.", "193.0.14.129", "2001:7fd::1" },
	{ "l.root-servers.net.", "199.7.83.42", "2001:500:9f::42" },
	{ "m.root-servers.net.", "202.12.27.33", "2001:dc3::35" },
};

/* Lines read from a hints file: IANA's has 92 with comments; a hostile or
 * mistaken file (a whole zone) is cut off here. */
#define HINTS_MAX_LINES 4096

static int builtin(struct dnsq *q)
{
	struct dns_name ns[DNSQ_MAX_NS], root;
	int n = 0;
	dns_name_root(&root);
	for (size_t i = 0; i < sizeof(iana_roots) / sizeof(iana_roots[0]) && n < DNSQ_MAX_NS; i++) {
		struct addr a;
		if (dns_name_from_text(iana_roots[i].name, &ns[n]) != DNS_OK)
			continue;
		if (addr_parse(&a, iana_roots[i].v4, AF_INET) == 0)
			zonecut_add_addr(q->cache, &ns[n], &a, PROV_HINT, 0);
		if (addr_parse(&a, iana_roots[i].v6, AF_INET6) == 0)
			zonecut_add_addr(q->cache, &ns[n], &a, PROV_HINT, 0);
		n++;
	}
	zonecut_add_zone(q->cache, &root, ns, n, 0);
	return 0;
}

static int bad(struct dnsq *q, const char *path, int line, const char *why)
{
	fprintf(stderr, "%s: %s:%d: %s\n", q->conf->prog, path, line, why);
	return -1;
}

int hints_load(struct dnsq *q, const char *path)
{
	if (!path)
		return builtin(q);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", q->conf->prog, path, strerror(errno));
		return -1;
	}
	struct dns_name ns[DNSQ_MAX_NS], root;
	int nns = 0, naddr = 0, lineno = 0, rc = 0;
	dns_name_root(&root);
	struct { struct dns_name name; struct addr a; } addrs[DNSQ_MAX_NS * DNSQ_MAX_ADDRS];
	char line[1024];
	while (fgets(line, sizeof(line), f) && ++lineno <= HINTS_MAX_LINES) {
		char *semi = strchr(line, ';');
		if (semi)
			*semi = '\0';
		char *tok[6];
		int nt = 0;
		for (char *s = strtok(line, " \t\r\n"); s && nt < 6; s = strtok(NULL, " \t\r\n"))
			tok[nt++] = s;
		if (nt == 0)
			continue;
		/* name [ttl] [class] type rdata */
		int t = 1;
		if (t < nt && isdigit((unsigned char)tok[t][0]))
			t++;
		if (t < nt && strcasecmp(tok[t], "IN") == 0)
			t++;
		if (t + 1 >= nt) {
			rc = bad(q, path, lineno, "expected: name [ttl] [class] type data");
			break;
		}
		struct dns_name owner;
		if (dns_name_from_text(tok[0], &owner) != DNS_OK) {
			rc = bad(q, path, lineno, "bad owner name");
			break;
		}
		if (strcasecmp(tok[t], "NS") == 0) {
			if (owner.len != 1 || nns == DNSQ_MAX_NS)
				continue;
			if (dns_name_from_text(tok[t + 1], &ns[nns]) != DNS_OK) {
				rc = bad(q, path, lineno, "bad NS name");
				break;
			}
			nns++;
		} else if (strcasecmp(tok[t], "A") == 0 || strcasecmp(tok[t], "AAAA") == 0) {
			int fam = strcasecmp(tok[t], "A") == 0 ? AF_INET : AF_INET6;
			if (naddr == (int)(sizeof(addrs) / sizeof(addrs[0])))
				continue;
			if (addr_parse(&addrs[naddr].a, tok[t + 1], fam) < 0) {
				rc = bad(q, path, lineno, "bad address");
				break;
			}
			addrs[naddr++].name = owner;
		}
	}
	fclose(f);
	if (rc < 0)
		return rc;
	int used = 0;
	for (int i = 0; i < naddr; i++)
		for (int k = 0; k < nns; k++)
			if (dns_name_eq(&addrs[i].name, &ns[k])) {
				zonecut_add_addr(q->cache, &ns[k], &addrs[i].a, PROV_HINT, 0);
				used++;
			}
	if (used == 0)
		return bad(q, path, lineno, "no root server with an address");
	zonecut_add_zone(q->cache, &root, ns, nns, 0);
	return 0;
}
