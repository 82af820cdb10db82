/*
 * cli — strict command-line values.
 *
 * Every number a user types goes through one range-checked parser: no
 * sign surprises, no trailing junk, no locale, no silent wrap.  Durations
 * are decimal seconds ("0.2", "1.5", "3") stored as nanoseconds.  The
 * caller words the error (tools follow their model's message), using the
 * status returned here.
 */
#ifndef ND_CLI_H
#define ND_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

enum cli_status { CLI_OK, CLI_INVALID, CLI_RANGE };

/* Decimal (or 0x-prefixed hex when allow_hex) integer in [min, max]. */
enum cli_status cli_uint(const char *s, unsigned long long min, unsigned long long max,
			 bool allow_hex, unsigned long long *out);
enum cli_status cli_int(const char *s, long long min, long long max, long long *out);
/* Non-negative decimal seconds with up to 9 fraction digits, in [min, max] ns. */
enum cli_status cli_duration(const char *s, nsec_t min, nsec_t max, nsec_t *out);

/* Port list "80", "22,80,443", "8000-8010" (and mixes); ports 1..65535,
 * at most max entries after expansion.  *out is malloc'd. */
enum cli_status cli_ports(const char *s, uint16_t **out, size_t *n, size_t max);

/* The same, worded as iputils' strtol_or_err when it fails: one line on
 * stderr ("prog: invalid argument: 'x'[: out of range: min <= value <= max]")
 * and -1.  cli_iputils_bad() words a status the caller already has. */
int cli_iputils_int(const char *prog, const char *arg, long long min, long long max, long long *out);
int cli_iputils_bad(const char *prog, const char *arg, enum cli_status st, long long min, long long max);

/* -4 or -6 (opt) into *family, refusing a second one as iputils does. */
int cli_family_opt(const char *prog, int opt, int *family);

/* The program name as invoked (argv[0]), as iputils prints it. */
const char *cli_progname(const char *argv0);
/* "TOOL (netdiag) VERSION" on stdout. */
void cli_version(const char *tool);

#endif
