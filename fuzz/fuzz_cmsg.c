/*
 * fuzz_cmsg — sock_parse_control() over arbitrary control data.
 *
 * The kernel writes the control messages sock_recv() reads (timestamps,
 * TTL, pktinfo, extended errors with the offender's address); we still
 * check every length, and this harness makes sure a lying cmsg_len can
 * never become an over-read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Control buffers are cmsghdr-aligned; give the parser an exactly
	 * sized heap copy so ASan sees any byte read past the end. */
	void *ctl = malloc(size ? size : 1);
	if (!ctl)
		return 0;
	memcpy(ctl, data, size);
	struct msghdr msg = { .msg_control = ctl, .msg_controllen = size };
	struct rxmeta m;
	memset(&m, 0, sizeof(m));
	sock_parse_control(&msg, &m);
	free(ctl);
	return 0;
}
