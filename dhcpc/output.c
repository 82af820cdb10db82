/*
 * output — what dhcpc prints: one line per DHCP step (text) or one JSON
 * object per event (--json), the lease, the lint, the offers list, the
 * summary; and the -v decoder for the DHCP layer (common/decode.h calls it
 * with each UDP payload).
 *
 * Every string that came from the network is printed through
 * dhcp_escape() or the JSON writer's escaping: a server can put escape
 * sequences in a host name (research 2.5's hostile server did).  The last
 * text line of a lease is udhcpc's own ("lease of A obtained from S, lease
 * time N") so scripts that grep it keep working.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dhcpc.h"
#include "json.h"

#define STEP_INDENT "              "

static double ms_since(nsec_t t0, nsec_t t)
{
	return (double)(t - t0) / NS_PER_MS;
}

static const char *mac_str(const uint8_t *mac, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

void out_header(struct dhcpc *d)
{
	char mac[24];
	if (d->conf->json)
		return;
	fprintf(d->out, "dhcpc on %s (%s)%s\n", d->ifname, mac_str(d->chaddr, mac, sizeof(mac)),
		d->conf->offers ? ": listing offers, nothing will be requested" : "");
	fflush(d->out);
}

/* The options of a message as one text line, or a JSON object. */
static void options_text(const struct dhcp_msg *m, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < m->norder && o + 8 < cap; i++) {
		uint8_t c = m->order[i];
		if (c == OPT_MSGTYPE || c == OPT_SERVER_ID)
			continue;   /* on the step line already */
		char val[600], name[24];
		const char *n = dhcp_opt_name(c);
		if (!n) {
			snprintf(name, sizeof(name), "option-%u", c);
			n = name;
		}
		dhcp_opt_text(m, c, val, sizeof(val));
		const struct dhcp_optv *v = &m->opt[c];
		char src[64] = "";
		if (v->parts > 1 || v->where != DHCP_IN_OPTIONS)
			snprintf(src, sizeof(src), " [%u part%s from %s%s%s]", v->parts, v->parts > 1 ? "s" : "",
				 v->where & DHCP_IN_OPTIONS ? "options " : "", v->where & DHCP_IN_FILE ? "file " : "",
				 v->where & DHCP_IN_SNAME ? "sname " : "");
		if (*src)
			src[strlen(src) - 2] = ']', src[strlen(src) - 1] = 0;
		int k = snprintf(out + o, cap - o, "%s%s %s%s", o ? ", " : "", n, val, src);
		if (k < 0 || (size_t)k >= cap - o)
			break;
		o += (size_t)k;
	}
}

static void options_json(struct json *j, const struct dhcp_msg *m)
{
	json_obj_open(j, "options");
	for (int i = 0; i < m->norder; i++) {
		uint8_t c = m->order[i];
		char val[600], name[24];
		const char *n = dhcp_opt_name(c);
		if (!n) {
			snprintf(name, sizeof(name), "option-%u", c);
			n = name;
		}
		json_str(j, n, dhcp_opt_text(m, c, val, sizeof(val)));
	}
	json_obj_close(j);
}

static const char *cast_name(const struct addr *dst, bool l2_broadcast)
{
	return (dst->bytes[0] == 255 && dst->bytes[3] == 255) || l2_broadcast ? "broadcast" : "unicast";
}

void out_step_sent(struct dhcpc *d, const struct dhcp_out *o, const struct addr *src,
		   const struct addr *dst, bool l2_broadcast)
{
	char s[ADDR_STRLEN], t[ADDR_STRLEN], a[ADDR_STRLEN], b[ADDR_STRLEN];
	double at = ms_since(d->start, clock_mono());
	addr_fmt(src, s, sizeof(s));
	addr_fmt(dst, t, sizeof(t));
	if (d->conf->json) {
		struct json j;
		json_begin(&j, d->out, "step");
		json_str(&j, "dir", "sent");
		json_str(&j, "msg", dhcp_type_name(o->type));
		char x[16];
		snprintf(x, sizeof(x), "0x%08x", o->xid);
		json_str(&j, "xid", x);
		json_double(&j, "time_ms", at);
		json_str(&j, "src", s);
		json_int(&j, "sport", 68);
		json_str(&j, "dst", t);
		json_int(&j, "dport", 67);
		json_str(&j, "cast", cast_name(dst, l2_broadcast));
		json_int(&j, "secs", o->secs);
		json_bool(&j, "broadcast_flag", o->flags & DHCP_FLAG_BROADCAST);
		if (addr_is_set(&o->ciaddr))
			json_addr(&j, "ciaddr", &o->ciaddr);
		if (addr_is_set(&o->req_ip))
			json_addr(&j, "requested_ip", &o->req_ip);
		if (addr_is_set(&o->server_id))
			json_addr(&j, "server_id", &o->server_id);
		json_end(&j);
		return;
	}
	char extra[200] = "";
	size_t e = 0;
	if (addr_is_set(&o->ciaddr))
		e += (size_t)snprintf(extra + e, sizeof(extra) - e, "  ciaddr %s", addr_fmt(&o->ciaddr, a, sizeof(a)));
	if (addr_is_set(&o->req_ip))
		e += (size_t)snprintf(extra + e, sizeof(extra) - e, "  requested %s", addr_fmt(&o->req_ip, a, sizeof(a)));
	if (addr_is_set(&o->server_id))
		snprintf(extra + e, sizeof(extra) - e, "  server %s", addr_fmt(&o->server_id, b, sizeof(b)));
	fprintf(d->out, "%10.3f ms  %-8s xid 0x%08x  %s:68 -> %s:67 %s%s%s\n", at, dhcp_type_name(o->type),
		o->xid, s, t, cast_name(dst, l2_broadcast), o->secs ? "" : "", extra);
	fflush(d->out);
}

void out_step_recv(struct dhcpc *d, const struct dhcpc_rx *rx, const struct dhcp_msg *m, const char *note)
{
	char s[ADDR_STRLEN], t[ADDR_STRLEN], y[ADDR_STRLEN], sid[ADDR_STRLEN] = "-", g[ADDR_STRLEN], mac[24];
	nsec_t now = clock_mono();
	double at = ms_since(d->start, now);
	double rtt = ms_since(d->last_tx, now);
	struct addr sa;
	if (dhcp_opt_addr(m, OPT_SERVER_ID, &sa))
		addr_fmt(&sa, sid, sizeof(sid));
	addr_fmt(&rx->src, s, sizeof(s));
	addr_fmt(&rx->dst, t, sizeof(t));
	addr_fmt(&m->yiaddr, y, sizeof(y));
	bool relayed = !addr_is_any(&m->giaddr);
	addr_fmt(&m->giaddr, g, sizeof(g));
	mac_str(rx->l2src, mac, sizeof(mac));
	const char *cast = cast_name(&rx->dst, rx->l2_broadcast);
	if (d->conf->json) {
		struct json j;
		json_begin(&j, d->out, "step");
		json_str(&j, "dir", "recv");
		json_str(&j, "msg", dhcp_type_name(m->type));
		char x[16];
		snprintf(x, sizeof(x), "0x%08x", m->xid);
		json_str(&j, "xid", x);
		json_double(&j, "time_ms", at);
		json_double(&j, "rtt_ms", rtt);
		json_str(&j, "src", s);
		json_int(&j, "sport", rx->sport);
		json_str(&j, "dst", t);
		json_int(&j, "dport", rx->dport);
		json_str(&j, "cast", cast);
		json_str(&j, "l2src", mac);
		json_str(&j, "yiaddr", y);
		json_str(&j, "server_id", strcmp(sid, "-") ? sid : NULL);
		if (relayed)
			json_str(&j, "giaddr", g);
		json_bool(&j, "broadcast_flag", m->flags & DHCP_FLAG_BROADCAST);
		options_json(&j, m);
		if (note)
			json_str(&j, "note", note);
		json_end(&j);
		return;
	}
	char opts[2048];
	options_text(m, opts, sizeof(opts));
	fprintf(d->out, "%10.3f ms  %-8s xid 0x%08x  %s:%u -> %s:%u %s  from %s  %s %s  server %s%s%s  (+%.3f ms)\n",
		at, dhcp_type_name(m->type), m->xid, s, rx->sport, t, rx->dport, cast, mac,
		m->type == DHCPNAK ? "yiaddr" : m->type == DHCPOFFER ? "offered" : "address", y, sid,
		relayed ? "  relay " : "", relayed ? g : "", rtt);
	if (*opts)
		fprintf(d->out, STEP_INDENT "%s\n", opts);
	if (note)
		fprintf(d->out, STEP_INDENT "(%s)\n", note);
	fflush(d->out);
}

static void vnote(struct dhcpc *d, const char *type, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (d->conf->json) {
		struct json j;
		json_begin(&j, d->out, type);
		json_double(&j, "time_ms", ms_since(d->start, clock_mono()));
		json_str(&j, "message", msg);
		json_end(&j);
		return;
	}
	if (strcmp(type, "warning") == 0)
		fprintf(d->out, "warning: %s\n", msg);
	else
		fprintf(d->out, STEP_INDENT "%s\n", msg);
	fflush(d->out);
}

void out_note(struct dhcpc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vnote(d, "note", fmt, ap);
	va_end(ap);
}

void out_warn(struct dhcpc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vnote(d, "warning", fmt, ap);
	va_end(ap);
}

void out_lint(struct dhcpc *d, const struct dhcp_lint *lint)
{
	for (int i = 0; i < lint->n; i++)
		out_warn(d, "%s", lint->msg[i]);
}

void out_offer_lint(struct dhcpc *d, const struct dhcp_lint *offer, const struct dhcp_lint *ack)
{
	for (int i = 0; i < offer->n; i++) {
		bool repeated = false;
		for (int k = 0; ack && k < ack->n && !repeated; k++)
			repeated = strcmp(offer->msg[i], ack->msg[k]) == 0;
		if (!repeated)
			out_warn(d, "OFFER: %s", offer->msg[i]);
	}
}

static void addr_list(const struct addr *a, int n, char *out, size_t cap)
{
	char one[ADDR_STRLEN];
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < n && o + ADDR_STRLEN + 1 < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "", addr_fmt(&a[i], one, sizeof(one)));
}

void out_lease(struct dhcpc *d)
{
	const struct dhcp_lease *l = &d->lease;
	char a[ADDR_STRLEN], s[ADDR_STRLEN], list[DHCP_MAX_ADDRS * (ADDR_STRLEN + 1)];
	addr_fmt(&l->addr, a, sizeof(a));
	addr_fmt(&l->server_id, s, sizeof(s));
	if (d->conf->json) {
		struct json j;
		json_begin(&j, d->out, "lease");
		json_str(&j, "interface", d->ifname);
		json_str(&j, "address", a);
		json_int(&j, "prefix", l->prefix);
		json_addr(&j, "mask", &l->mask);
		json_arr_open(&j, "routers");
		for (int i = 0; i < l->nrouters; i++)
			json_addr(&j, NULL, &l->routers[i]);
		json_arr_close(&j);
		json_arr_open(&j, "dns");
		for (int i = 0; i < l->ndns; i++)
			json_addr(&j, NULL, &l->dns[i]);
		json_arr_close(&j);
		json_str(&j, "domain", l->domain[0] ? l->domain : NULL);
		json_str(&j, "hostname", l->hostname[0] ? l->hostname : NULL);
		json_uint(&j, "lease_s", l->lease);
		json_uint(&j, "t1_s", l->t1);
		json_uint(&j, "t2_s", l->t2);
		json_str(&j, "server_id", l->has_server_id ? s : NULL);
		json_end(&j);
		return;
	}
	FILE *f = d->out;
	fprintf(f, "lease:\n");
	fprintf(f, "  address      %s/%u\n", a, l->prefix);
	if (l->nrouters) {
		addr_list(l->routers, l->nrouters, list, sizeof(list));
		fprintf(f, "  router       %s\n", list);
	}
	for (int i = 0; i < l->nroutes; i++) {
		char dst[ADDR_STRLEN], gw[ADDR_STRLEN];
		fprintf(f, "  route        %s/%u via %s (option 121)\n", addr_fmt(&l->routes[i].dst, dst, sizeof(dst)),
			l->routes[i].prefix, addr_fmt(&l->routes[i].gw, gw, sizeof(gw)));
	}
	if (l->ndns) {
		addr_list(l->dns, l->ndns, list, sizeof(list));
		fprintf(f, "  dns          %s\n", list);
	}
	if (l->domain[0])
		fprintf(f, "  domain       %s\n", l->domain);
	if (l->hostname[0])
		fprintf(f, "  hostname     %s\n", l->hostname);
	if (l->nntp) {
		addr_list(l->ntp, l->nntp, list, sizeof(list));
		fprintf(f, "  ntp          %s\n", list);
	}
	if (l->lease == DHCP_INFINITE)
		fprintf(f, "  lease time   infinite\n");
	else
		fprintf(f, "  lease time   %u s (T1 %u s%s, T2 %u s%s)\n", l->lease, l->t1,
			l->t1_given ? "" : " derived", l->t2, l->t2_given ? "" : " derived");
	fprintf(f, "  server       %s\n", l->has_server_id ? s : "(none)");
	fprintf(f, "lease of %s obtained from %s, lease time %u\n", a, s, l->lease);
	fflush(f);
}

void out_offers(struct dhcpc *d)
{
	char a[ADDR_STRLEN], s[ADDR_STRLEN], mac[24], opts[2048];
	struct addr servers[DHCPC_MAX_OFFERS];
	int nservers = 0;
	if (!d->conf->json)
		fprintf(d->out, "%d offer%s on %s within %.1f s:\n", d->noffers, d->noffers == 1 ? "" : "s",
			d->ifname, (double)d->conf->timeout / NS_PER_S);
	for (int i = 0; i < d->noffers; i++) {
		const struct dhcpc_offer *o = &d->offers[i];
		struct dhcp_lease l;
		struct dhcp_lint lint = { 0 };
		dhcp_lease_from(&o->msg, &l, &lint, d->prl, d->prl_len);
		bool seen = false;
		for (int k = 0; k < nservers; k++)
			seen |= addr_eq(&servers[k], &o->server_id);
		if (!seen)
			servers[nservers++] = o->server_id;
		addr_fmt(&o->msg.yiaddr, a, sizeof(a));
		addr_fmt(&o->server_id, s, sizeof(s));
		mac_str(o->l2src, mac, sizeof(mac));
		double t = ms_since(d->t_discover, o->at);
		if (d->conf->json) {
			struct json j;
			json_begin(&j, d->out, "offer");
			json_str(&j, "yiaddr", a);
			json_str(&j, "server_id", addr_is_set(&o->server_id) ? s : NULL);
			json_str(&j, "l2src", mac);
			json_double(&j, "time_ms", t);
			if (!addr_is_any(&o->msg.giaddr))
				json_addr(&j, "giaddr", &o->msg.giaddr);
			options_json(&j, &o->msg);
			json_arr_open(&j, "warnings");
			for (int k = 0; k < lint.n; k++)
				json_str(&j, NULL, lint.msg[k]);
			json_arr_close(&j);
			json_end(&j);
			continue;
		}
		options_text(&o->msg, opts, sizeof(opts));
		fprintf(d->out, "  %d. %s from server %s (%s) in %.3f ms\n", i + 1, a,
			addr_is_set(&o->server_id) ? s : "(none)", mac, t);
		fprintf(d->out, "     %s\n", opts);
		for (int k = 0; k < lint.n; k++)
			fprintf(d->out, "     warning: %s\n", lint.msg[k]);
	}
	if (d->offers_dropped && !d->conf->json)
		fprintf(d->out, "  (%d more offers not kept)\n", d->offers_dropped);
	if (nservers > 1) {
		char list[DHCPC_MAX_OFFERS * (ADDR_STRLEN + 2)];
		size_t o = 0;
		list[0] = 0;
		for (int k = 0; k < nservers; k++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", k ? ", " : "",
					      addr_fmt(&servers[k], s, sizeof(s)));
		out_warn(d, "%d DHCP servers answered (%s): all but one may be rogue", nservers, list);
	}
	fflush(d->out);
}

void out_summary(struct dhcpc *d)
{
	double total = ms_since(d->start, clock_mono());
	if (d->conf->json) {
		struct json j;
		json_begin(&j, d->out, "summary");
		json_str(&j, "interface", d->ifname);
		json_str(&j, "result", d->result ? d->result : "error");
		json_int(&j, "exit_code", d->exit_code);
		json_int(&j, "sent", d->sent);
		json_int(&j, "received", d->received);
		json_int(&j, "ignored", d->ignored);
		json_int(&j, "malformed", d->malformed);
		json_int(&j, "offers", d->noffers);
		if (d->offer_rtt)
			json_ms(&j, "discover_offer_ms", d->offer_rtt);
		if (d->ack_rtt)
			json_ms(&j, "request_ack_ms", d->ack_rtt);
		json_double(&j, "time_ms", total);
		json_end(&j);
		return;
	}
	if (d->offer_rtt || d->ack_rtt) {
		fprintf(d->out, "timing:");
		if (d->offer_rtt)
			fprintf(d->out, " DISCOVER->OFFER %.3f ms", (double)d->offer_rtt / NS_PER_MS);
		if (d->ack_rtt)
			fprintf(d->out, "%s REQUEST->ACK %.3f ms", d->offer_rtt ? "," : "", (double)d->ack_rtt / NS_PER_MS);
		fprintf(d->out, "\n");
	}
	fprintf(d->out, "%s: %lld sent, %lld received, %lld ignored (%lld malformed), %.3f ms\n",
		d->result ? d->result : "error", d->sent, d->received, d->ignored + d->malformed, d->malformed, total);
	fflush(d->out);
}

void out_ignored(struct dhcpc *d, const uint8_t *frame, size_t len, const char *why)
{
	(void)frame;
	(void)len;
	if (!d->conf->verbose)
		return;
	if (d->conf->json) {
		struct json j;
		json_begin(&j, d->out, "ignored");
		json_double(&j, "time_ms", ms_since(d->start, clock_mono()));
		json_str(&j, "reason", why);
		json_end(&j);
		return;
	}
	fprintf(d->out, STEP_INDENT "ignored a frame: %s\n", why ? why : "?");
}

void out_packet(struct dhcpc *d, const char *what, const uint8_t *frame, size_t len, nsec_t ts)
{
	if (pcap_is_open(&d->pcap))
		pcap_write(&d->pcap, ts, frame, len);
	if (d->conf->verbose)
		decode_packet(&d->dec, what, DECODE_FROM_ETHER, NULL, frame, len);
}

void out_decode_dhcp(const struct decode *dec, int ipproto, uint16_t sport, uint16_t dport,
		     const uint8_t *payload, size_t len)
{
	if (ipproto != IPPROTO_UDP || !((sport == 67 || sport == 68) && (dport == 67 || dport == 68)))
		return;
	struct dhcp_msg *m = dec->app_arg;
	const char *why;
	if (dhcp_parse(payload, len, m, &why) < 0) {
		decode_line(dec, 4, "DHCP", "[malformed: %s]", why);
		return;
	}
	char a[ADDR_STRLEN], b[ADDR_STRLEN], c[ADDR_STRLEN], g[ADDR_STRLEN], mac[24];
	decode_line(dec, 4, "DHCP", "op %u (%s), htype %u, hlen %u, hops %u, xid 0x%08x, secs %u, flags 0x%04x (%s)",
		    m->op, m->op == 1 ? "BOOTREQUEST" : m->op == 2 ? "BOOTREPLY" : "?", m->htype, m->hlen,
		    m->hops, m->xid, m->secs, m->flags, m->flags & DHCP_FLAG_BROADCAST ? "broadcast" : "unicast");
	decode_line(dec, 4, "", "ciaddr %s, yiaddr %s, siaddr %s, giaddr %s", addr_fmt(&m->ciaddr, a, sizeof(a)),
		    addr_fmt(&m->yiaddr, b, sizeof(b)), addr_fmt(&m->siaddr, c, sizeof(c)),
		    addr_fmt(&m->giaddr, g, sizeof(g)));
	char sname[DHCP_SNAME_LEN * 4 + 1], file[DHCP_FILE_LEN * 4 + 1];
	dhcp_escape(m->sname, strnlen((const char *)m->sname, sizeof(m->sname)), sname, sizeof(sname));
	dhcp_escape(m->file, strnlen((const char *)m->file, sizeof(m->file)), file, sizeof(file));
	decode_line(dec, 4, "", "chaddr %s, sname \"%s\"%s, file \"%s\"%s", mac_str(m->chaddr, mac, sizeof(mac)),
		    m->overload & 2 ? "" : sname, m->overload & 2 ? " (holds options)" : "",
		    m->overload & 1 ? "" : file, m->overload & 1 ? " (holds options)" : "");
	for (int i = 0; i < m->norder; i++) {
		uint8_t code = m->order[i];
		char val[600];
		const char *n = dhcp_opt_name(code);
		const struct dhcp_optv *v = &m->opt[code];
		decode_line(dec, 4, "", "option %u %s: %s%s%s", code, n ? n : "(unknown)",
			    dhcp_opt_text(m, code, val, sizeof(val)),
			    v->parts > 1 ? " (joined from several instances, RFC 3396)" : "",
			    v->where & (DHCP_IN_FILE | DHCP_IN_SNAME) ? " (from an overloaded field)" : "");
	}
	if (m->no_end)
		decode_line(dec, 4, "", "[no End option]");
}
