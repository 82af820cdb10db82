/*
 * json — a JSON Lines writer: one object per event, flushed per line.
 *
 * Usage:
 *   struct json j; json_begin(&j, stdout, "reply");
 *   json_str(&j, "dst", "10.0.0.2"); json_int(&j, "seq", 1);
 *   json_ms(&j, "rtt_ms", rtt_ns); json_end(&j);
 * prints {"type":"reply","dst":"10.0.0.2","seq":1,"rtt_ms":0.052}\n
 * Strings are escaped per RFC 8259 (control characters as \u00XX, bytes
 * that are not valid UTF-8 as \u00XX of the byte, so output is always
 * valid JSON whatever a peer sent us).
 */
#ifndef ND_JSON_H
#define ND_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "clock.h"

struct json {
	FILE *out;
	int depth;        /* nesting of objects/arrays inside the line */
	bool need_comma;
};

void json_begin(struct json *j, FILE *out, const char *type);   /* {"type":type */
void json_end(struct json *j);                                    /* }\n + fflush */

void json_key(struct json *j, const char *key);   /* for nested values */
void json_str(struct json *j, const char *key, const char *val);  /* NULL -> null */
void json_strn(struct json *j, const char *key, const char *val, size_t len);
void json_int(struct json *j, const char *key, long long val);
void json_uint(struct json *j, const char *key, unsigned long long val);
void json_double(struct json *j, const char *key, double val);   /* %.3f-ish, NaN -> null */
void json_ms(struct json *j, const char *key, nsec_t ns);         /* ns as ms, µs precision */
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
void json_addr(struct json *j, const char *key, const struct addr *a);
/* Nested containers; key is NULL inside an array. */
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);

#endif
