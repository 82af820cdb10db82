/*
 * unit.h — a tiny TAP-producing test harness for the C unit tests.
 *
 *   UNIT_TEST(name) { CHECK(x == 1); CHECK_EQ_INT(a, b); CHECK_STR(s, "x"); }
 *   int main(void) { RUN(name); ...; return unit_done(); }
 *
 * Each RUN prints "ok N - name" or "not ok N - name" (with the failed
 * checks as "# file:line: ..." comments); tests/run.sh counts those lines.
 */
#ifndef ND_UNIT_H
#define ND_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed_tests, unit_cur_failed;

#define UNIT_TEST(name) static void name(void)

#define CHECK(cond) do { if (!(cond)) { unit_cur_failed++; \
	printf("# %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { unit_cur_failed++; \
	printf("# %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, a_, #b, b_); } } while (0)

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) { unit_cur_failed++; \
	printf("# %s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
	       a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)

#define RUN(name) do { unit_cur_failed = 0; name(); unit_n++; \
	if (unit_cur_failed) unit_failed_tests++; \
	printf("%sok %d - %s\n", unit_cur_failed ? "not " : "", unit_n, #name); } while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_n);
	return unit_failed_tests ? 1 : 0;
}

#endif
