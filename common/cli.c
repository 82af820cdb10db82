/*
 * cli — strict parsing of numbers, durations and port lists.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef NETDIAG_VERSION
#define NETDIAG_VERSION "dev"
#endif

enum cli_status cli_uint(const char *s, unsigned long long min, unsigned long long max,
			 bool allow_hex, unsigned long long *out)
{
	if (!s || !isdigit((unsigned char)s[0]))
		return CLI_INVALID;
	int base = 10;
	if (allow_hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return CLI_INVALID;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (*end)
		return CLI_INVALID;
	if (errno == ERANGE || v < min || v > max)
		return CLI_RANGE;
	*out = v;
	return CLI_OK;
}

enum cli_status cli_int(const char *s, long long min, long long max, long long *out)
{
	if (!s || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return CLI_INVALID;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end)
		return CLI_INVALID;
	if (errno == ERANGE || v < min || v > max)
		return CLI_RANGE;
	*out = v;
	return CLI_OK;
}

enum cli_status cli_duration(const char *s, nsec_t min, nsec_t max, nsec_t *out)
{
	/* Parsed by hand, not strtod: no locale decimal comma, no exponent,
	 * no rounding error in the nanoseconds. */
	if (!s || !(isdigit((unsigned char)s[0]) || (s[0] == '.' && isdigit((unsigned char)s[1]))))
		return CLI_INVALID;
	const char *p = s;
	long long secs = 0;
	bool overflow = false;
	while (isdigit((unsigned char)*p)) {
		if (secs > (INT64_MAX / NS_PER_S) / 10)
			overflow = true;
		else
			secs = secs * 10 + (*p - '0');
		p++;
	}
	nsec_t frac = 0, scale = NS_PER_S / 10;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p) && p - s == 1)
			return CLI_INVALID;
		while (isdigit((unsigned char)*p)) {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	if (*p)
		return CLI_INVALID;
	if (overflow)
		return CLI_RANGE;
	nsec_t v = secs * NS_PER_S + frac;
	if (v < min || v > max)
		return CLI_RANGE;
	*out = v;
	return CLI_OK;
}

enum cli_status cli_ports(const char *s, uint16_t **out, size_t *n, size_t max)
{
	*out = NULL;
	*n = 0;
	if (!s || !*s)
		return CLI_INVALID;
	uint16_t *ports = NULL;
	size_t count = 0, cap = 0;
	const char *p = s;
	enum cli_status st = CLI_OK;
	while (st == CLI_OK) {
		char item[32];
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(item)) {
			st = CLI_INVALID;
			break;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		char *dash = strchr(item, '-');
		unsigned long long lo, hi;
		if (dash) {
			*dash = '\0';
			st = cli_uint(item, 1, 65535, false, &lo);
			if (st == CLI_OK)
				st = cli_uint(dash + 1, 1, 65535, false, &hi);
			if (st == CLI_OK && hi < lo)
				st = CLI_INVALID;
		} else {
			st = cli_uint(item, 1, 65535, false, &lo);
			hi = lo;
		}
		if (st != CLI_OK)
			break;
		if (hi - lo + 1 > max - count) {
			st = CLI_RANGE;
			break;
		}
		if (count + (hi - lo + 1) > cap) {
			size_t ncap = count + (size_t)(hi - lo + 1);
			uint16_t *np = realloc(ports, ncap * sizeof(*np));
			if (!np) {
				st = CLI_RANGE;
				break;
			}
			ports = np;
			cap = ncap;
		}
		for (unsigned long long v = lo; v <= hi; v++)
			ports[count++] = (uint16_t)v;
		p += len;
		if (*p != ',')
			break;
		p++;
	}
	if (st != CLI_OK) {
		free(ports);
		return st;
	}
	*out = ports;
	*n = count;
	return CLI_OK;
}

const char *cli_progname(const char *argv0)
{
	return argv0 && *argv0 ? argv0 : "netdiag";
}

void cli_version(const char *tool)
{
	printf("%s (netdiag) %s\n", tool, NETDIAG_VERSION);
}

int cli_iputils_bad(const char *prog, const char *arg, enum cli_status st, long long min, long long max)
{
	if (st == CLI_RANGE)
		fprintf(stderr, "%s: invalid argument: '%s': out of range: %lld <= value <= %lld\n", prog,
			arg, min, max);
	else
		fprintf(stderr, "%s: invalid argument: '%s'\n", prog, arg);
	return -1;
}

int cli_iputils_int(const char *prog, const char *arg, long long min, long long max, long long *out)
{
	enum cli_status st = cli_int(arg, min, max, out);
	return st == CLI_OK ? 0 : cli_iputils_bad(prog, arg, st, min, max);
}

int cli_family_opt(const char *prog, int opt, int *family)
{
	if (*family != AF_UNSPEC) {
		fprintf(stderr, "%s: only one -4 or -6 option may be specified\n", prog);
		return -1;
	}
	*family = opt == '4' ? AF_INET : AF_INET6;
	return 0;
}
