/*
 * fuzz_ip — ip_decode() on arbitrary bytes.
 *
 * Beyond "no crash, no out-of-bounds read" (ASan), check what callers rely
 * on: a header that decodes fits in the input, the reader is left exactly
 * after it, and the family table entry matches the version nibble.
 */
#include <stddef.h>
#include <stdint.h>

#include "ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = rd_init(data, size);
	struct ip_hdr h;
	if (ip_decode(&r, &h) != 0)
		return 0;
	if (!h.fam || h.fam->version != data[0] >> 4)
		__builtin_trap();
	if (h.hdr_len < h.fam->hdr_len || h.hdr_len > size)
		__builtin_trap();
	if (rd_left(&r) != size - h.hdr_len || rd_peek(&r) != data + h.hdr_len)
		__builtin_trap();
	if (h.fam->version == 4 && h.opt_len != h.hdr_len - 20)
		__builtin_trap();
	if (h.src.family != h.fam->family || h.dst.family != h.fam->family)
		__builtin_trap();
	return 0;
}
