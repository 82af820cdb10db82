/*
 * json — JSON Lines writer (see json.h).
 *
 * Every value goes through one prefix step (comma, then "key":) so nesting
 * and commas are handled in one place; the struct only has to remember
 * whether the next member needs a comma.
 *
 * Strings come from peers (DNS names, DHCP options, ICMP payloads), so the
 * escaper assumes nothing: RFC 8259 section 7 escapes for '"', '\\' and the
 * control characters, and a strict UTF-8 check (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF) so that any byte
 * that is not part of a valid sequence is written as \u00XX of that byte.
 * Valid multibyte sequences pass through unchanged.
 *
 * Numbers: json_ms formats integer microseconds, so "rtt_ms" shows the
 * same digits as the text line.  json_double prints the shortest "%.Ng"
 * (N = 1..17) that reads back as the same double, widened as needed so
 * that values from 1e-4 up to 1e17 are written without an exponent: exact
 * (no %.6g rounding of a long run's milliseconds), and short in the common
 * case (0.052 stays 0.052, 100 stays 100).  NaN and infinities are not
 * JSON numbers: they are written as null.
 */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void put_escaped(FILE *out, const char *s, size_t len);

static void prefix(struct json *j, const char *key)
{
	if (j->need_comma)
		fputc(',', j->out);
	if (key) {
		put_escaped(j->out, key, strlen(key));
		fputc(':', j->out);
	}
	j->need_comma = true;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if the byte at p
 * does not start one.  RFC 3629 section 4 table of well-formed sequences. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;   /* range of the second byte */
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;            /* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f;            /* no UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;            /* no overlong forms */
		else if (c == 0xf4)
			hi = 0x8f;            /* nothing above U+10FFFF */
	} else
		return 0;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static void put_escaped(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', out);
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		const char *esc = NULL;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc) {
			fputs(esc, out);
			i++;
		} else if (c < 0x20) {
			fprintf(out, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			fputc(c, out);
			i++;
		} else {
			size_t n = utf8_len(p + i, len - i);
			if (n) {
				fwrite(p + i, 1, n, out);
				i += n;
			} else {
				fprintf(out, "\\u%04x", c);
				i++;
			}
		}
	}
	fputc('"', out);
}

void json_begin(struct json *j, FILE *out, const char *type)
{
	j->out = out;
	j->depth = 0;
	j->need_comma = false;
	fputc('{', out);
	json_str(j, "type", type);
}

void json_end(struct json *j)
{
	fputs("}\n", j->out);
	fflush(j->out);
	j->need_comma = false;
	j->depth = 0;
}

void json_key(struct json *j, const char *key)
{
	prefix(j, key);
	/* The value that follows is written with key NULL and must not add a
	 * comma of its own. */
	j->need_comma = false;
}

void json_str(struct json *j, const char *key, const char *val)
{
	if (!val) {
		json_null(j, key);
		return;
	}
	json_strn(j, key, val, strlen(val));
}

void json_strn(struct json *j, const char *key, const char *val, size_t len)
{
	if (!val) {
		json_null(j, key);
		return;
	}
	prefix(j, key);
	put_escaped(j->out, val, len);
}

void json_int(struct json *j, const char *key, long long val)
{
	prefix(j, key);
	fprintf(j->out, "%lld", val);
}

void json_uint(struct json *j, const char *key, unsigned long long val)
{
	prefix(j, key);
	fprintf(j->out, "%llu", val);
}

void json_double(struct json *j, const char *key, double val)
{
	if (!isfinite(val)) {
		json_null(j, key);
		return;
	}
	char buf[40];
	int prec = 1;
	for (; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, val);
		if (strtod(buf, NULL) == val)
			break;
	}
	/* A round number is exact with few digits but %g then switches to an
	 * exponent ("1e+02"); a reader wants 100.  More digits than needed
	 * still round-trip, so add them until the exponent goes away. */
	for (;;) {
		snprintf(buf, sizeof(buf), "%.*g", prec, val);
		if (prec >= 17 || !strchr(buf, 'e') || fabs(val) < 1e-4)
			break;
		prec++;
	}
	prefix(j, key);
	/* "%g" never prints "inf"/"nan" here, and its other forms ("1e-07",
	 * "-0", "12.5") are all valid JSON numbers. */
	fputs(buf, j->out);
}

void json_ms(struct json *j, const char *key, nsec_t ns)
{
	/* Truncate to whole microseconds first, as the text line does. */
	long long us = ns / NS_PER_US;
	unsigned long long mag = us < 0 ? 0ULL - (unsigned long long)us : (unsigned long long)us;
	prefix(j, key);
	fprintf(j->out, "%s%llu.%03llu", us < 0 ? "-" : "", mag / 1000, mag % 1000);
}

void json_bool(struct json *j, const char *key, bool val)
{
	prefix(j, key);
	fputs(val ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	prefix(j, key);
	fputs("null", j->out);
}

void json_addr(struct json *j, const char *key, const struct addr *a)
{
	if (!a || !addr_is_set(a)) {
		json_null(j, key);
		return;
	}
	char buf[ADDR_STRLEN];
	json_str(j, key, addr_fmt(a, buf, sizeof(buf)));
}

static void open_container(struct json *j, const char *key, char c)
{
	prefix(j, key);
	fputc(c, j->out);
	j->need_comma = false;
	j->depth++;
}

static void close_container(struct json *j, char c)
{
	fputc(c, j->out);
	j->need_comma = true;
	if (j->depth > 0)
		j->depth--;
}

void json_obj_open(struct json *j, const char *key) { open_container(j, key, '{'); }
void json_obj_close(struct json *j) { close_container(j, '}'); }
void json_arr_open(struct json *j, const char *key) { open_container(j, key, '['); }
void json_arr_close(struct json *j) { close_container(j, ']'); }
