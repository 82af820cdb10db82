/*
 * test_json — the JSON Lines writer: escaping of everything a peer can
 * send us, numbers, nesting and commas, and (when jq is installed) that
 * jq accepts every line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "json.h"
#include "unit.h"

/* Run fn against a memstream and return what it wrote (static buffer). */
typedef void (*writer_fn)(struct json *j, FILE *f);

static const char *capture_fn(writer_fn fn)
{
	static char out[4096];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return "";
	struct json j;
	fn(&j, f);
	fclose(f);
	snprintf(out, sizeof(out), "%s", buf ? buf : "");
	free(buf);
	return out;
}

static void w_example(struct json *j, FILE *f)
{
	json_begin(j, f, "reply");
	json_str(j, "dst", "10.0.0.2");
	json_int(j, "seq", 1);
	json_ms(j, "rtt_ms", 52341);
	json_end(j);
}

UNIT_TEST(header_example)
{
	CHECK_STR(capture_fn(w_example),
		  "{\"type\":\"reply\",\"dst\":\"10.0.0.2\",\"seq\":1,\"rtt_ms\":0.052}\n");
}

static const char *g_str;
static size_t g_len;
static void w_str(struct json *j, FILE *f)
{
	json_begin(j, f, "t");
	json_strn(j, "s", g_str, g_len);
	json_end(j);
}

static const char *esc(const char *s, size_t len)
{
	static char only[1024];
	g_str = s;
	g_len = len;
	const char *all = capture_fn(w_str);
	/* strip {"type":"t","s": and }\n */
	const char *p = strstr(all, "\"s\":");
	snprintf(only, sizeof(only), "%s", p ? p + 4 : all);
	size_t n = strlen(only);
	if (n >= 2)
		only[n - 2] = '\0';
	return only;
}

#define ESC(lit) esc(lit, sizeof(lit) - 1)

UNIT_TEST(escape_quotes_and_backslash)
{
	CHECK_STR(ESC("say \"hi\""), "\"say \\\"hi\\\"\"");
	CHECK_STR(ESC("a\\b"), "\"a\\\\b\"");
	CHECK_STR(ESC("/"), "\"/\"");
	CHECK_STR(ESC(""), "\"\"");
}

UNIT_TEST(escape_control_chars)
{
	CHECK_STR(ESC("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
	CHECK_STR(ESC("\x01\x1f"), "\"\\u0001\\u001f\"");
	CHECK_STR(ESC("a\0b"), "\"a\\u0000b\"");           /* strn keeps NULs */
	CHECK_STR(ESC("\x7f"), "\"\x7f\"");                 /* DEL is legal in JSON */
	CHECK_STR(ESC("\x1b[31m"), "\"\\u001b[31m\"");      /* no terminal escapes */
}

UNIT_TEST(utf8_valid_passes_through)
{
	CHECK_STR(ESC("caf\xc3\xa9"), "\"caf\xc3\xa9\"");                  /* é */
	CHECK_STR(ESC("\xe2\x82\xac"), "\"\xe2\x82\xac\"");                /* € */
	CHECK_STR(ESC("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");        /* U+1F600 */
	CHECK_STR(ESC("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");        /* U+10FFFF */
	CHECK_STR(ESC("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");                /* U+D7FF */
}

UNIT_TEST(utf8_invalid_escaped_bytewise)
{
	CHECK_STR(ESC("\xff"), "\"\\u00ff\"");
	CHECK_STR(ESC("\x80"), "\"\\u0080\"");                        /* lone continuation */
	CHECK_STR(ESC("\xc3"), "\"\\u00c3\"");                        /* cut short at end */
	CHECK_STR(ESC("\xc3x"), "\"\\u00c3x\"");                      /* cut short mid-string */
	CHECK_STR(ESC("\xc0\xaf"), "\"\\u00c0\\u00af\"");             /* overlong '/' */
	CHECK_STR(ESC("\xe0\x80\xaf"), "\"\\u00e0\\u0080\\u00af\"");  /* overlong 3-byte */
	CHECK_STR(ESC("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\""); /* surrogate D800 */
	CHECK_STR(ESC("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > U+10FFFF */
	CHECK_STR(ESC("\xf8\x88\x80\x80\x80"), "\"\\u00f8\\u0088\\u0080\\u0080\\u0080\"");
	CHECK_STR(ESC("\xe2\x82"), "\"\\u00e2\\u0082\"");             /* 3-byte cut at end */
	CHECK_STR(ESC("\xe2\x28\xa1"), "\"\\u00e2(\\u00a1\"");        /* bad second byte */
}

static void w_numbers(struct json *j, FILE *f)
{
	json_begin(j, f, "n");
	json_int(j, "neg", -5);
	json_uint(j, "big", 18446744073709551615ULL);
	json_double(j, "d1", 0.052);
	json_double(j, "d2", 33.333333333333336);
	json_double(j, "d3", 100.0);
	json_double(j, "nan", NAN);
	json_double(j, "inf", -INFINITY);
	json_double(j, "tiny", 1e-7);
	json_ms(j, "ms0", 0);
	json_ms(j, "ms1", 999);
	json_ms(j, "ms2", 1500000000LL);
	json_ms(j, "msneg", -5500);
	json_bool(j, "t", true);
	json_bool(j, "f", false);
	json_null(j, "z");
	json_str(j, "nul", NULL);
	json_end(j);
}

UNIT_TEST(numbers)
{
	CHECK_STR(capture_fn(w_numbers),
		  "{\"type\":\"n\",\"neg\":-5,\"big\":18446744073709551615,\"d1\":0.052,"
		  "\"d2\":33.333333333333336,\"d3\":100,\"nan\":null,\"inf\":null,\"tiny\":1e-07,"
		  "\"ms0\":0.000,\"ms1\":0.000,\"ms2\":1500.000,\"msneg\":-0.005,"
		  "\"t\":true,\"f\":false,\"z\":null,\"nul\":null}\n");
}

UNIT_TEST(double_round_trips)
{
	const double vals[] = { 0.1, 1.0 / 3.0, 2.0 / 3.0, 123456.789, 7200000.0, 1e300, 5e-324, 0.0 };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct json j;
		json_begin(&j, f, "d");
		json_double(&j, "v", vals[i]);
		json_end(&j);
		fclose(f);
		const char *p = strstr(buf, "\"v\":");
		CHECK(p != NULL);
		if (p)
			CHECK(strtod(p + 4, NULL) == vals[i]);
		free(buf);
	}
}

static void w_nested(struct json *j, FILE *f)
{
	json_begin(j, f, "hop");
	json_int(j, "ttl", 3);
	json_arr_open(j, "probes");
	json_obj_open(j, NULL);
	json_str(j, "from", "10.0.0.1");
	json_ms(j, "rtt_ms", 1234567);
	json_obj_close(j);
	json_obj_open(j, NULL);
	json_obj_close(j);
	json_null(j, NULL);
	json_arr_close(j);
	json_key(j, "inner");
	json_obj_open(j, NULL);
	json_arr_open(j, "empty");
	json_arr_close(j);
	json_int(j, "x", 1);
	json_obj_close(j);
	json_bool(j, "done", true);
	json_end(j);
}

UNIT_TEST(nesting_and_commas)
{
	CHECK_STR(capture_fn(w_nested),
		  "{\"type\":\"hop\",\"ttl\":3,\"probes\":[{\"from\":\"10.0.0.1\",\"rtt_ms\":1.234},{},null],"
		  "\"inner\":{\"empty\":[],\"x\":1},\"done\":true}\n");
}

static void w_addr(struct json *j, FILE *f)
{
	struct addr a4, a6, none = { 0 };
	addr_parse(&a4, "10.0.0.2", 0);
	addr_parse(&a6, "fd00::1", 0);
	json_begin(j, f, "a");
	json_addr(j, "v4", &a4);
	json_addr(j, "v6", &a6);
	json_addr(j, "none", &none);
	json_end(j);
}

UNIT_TEST(addresses)
{
	CHECK_STR(capture_fn(w_addr), "{\"type\":\"a\",\"v4\":\"10.0.0.2\",\"v6\":\"fd00::1\",\"none\":null}\n");
}

static void w_hostile(struct json *j, FILE *f)
{
	/* every byte value once, as a peer might send in a DNS name */
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	json_begin(j, f, "hostile\n\"type\"");
	json_strn(j, "all\xff", all, sizeof(all));
	json_str(j, "tricky", "\\\"},{\"x\":1");
	json_end(j);
	w_numbers(j, f);
	w_nested(j, f);
}

UNIT_TEST(jq_accepts_every_line)
{
	if (system("command -v jq >/dev/null 2>&1") != 0) {
		printf("# jq not installed: skipped\n");
		return;
	}
	char path[] = "/tmp/test_json.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "w");
	struct json j;
	w_hostile(&j, f);
	fclose(f);
	char cmd[256];
	/* -e: non-zero unless every line parses; count the objects */
	snprintf(cmd, sizeof(cmd), "jq -c -e '.type' %s 2>&1 | wc -l", path);
	FILE *p = popen(cmd, "r");
	int lines = -1;
	CHECK(p != NULL);
	if (p) {
		if (fscanf(p, "%d", &lines) != 1)
			lines = -1;
		pclose(p);
	}
	CHECK_EQ_INT(lines, 3);
	snprintf(cmd, sizeof(cmd), "jq -e -s 'length == 3 and .[0].tricky == \"\\\\\\\"},{\\\"x\\\":1\" "
		 "and (.[0].type | test(\"hostile\"))' %s >/dev/null", path);
	CHECK_EQ_INT(system(cmd), 0);
	unlink(path);
}

int main(void)
{
	RUN(header_example);
	RUN(escape_quotes_and_backslash);
	RUN(escape_control_chars);
	RUN(utf8_valid_passes_through);
	RUN(utf8_invalid_escaped_bytewise);
	RUN(numbers);
	RUN(double_round_trips);
	RUN(nesting_and_commas);
	RUN(addresses);
	RUN(jq_accepts_every_line);
	return unit_done();
}
