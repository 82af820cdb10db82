# dnsq/ — iterative resolver that walks from the root and shows every step.
# No capability: plain UDP/TCP sockets on ephemeral ports (no dnsq_CAPS).
PROGRAMS += dnsq
dnsq_SRCS := $(addprefix dnsq/, main.c options.c wire.c wire_fmt.c hints.c zonecut.c \
	classify.c transport.c resolve.c allsrv.c direct.c output.c show.c)
MANPAGES += dnsq/dnsq.8
# nsd serves the private root/TLD/child zones in the tests; drill, dig and
# unbound are the models the benchmark (and optional comparisons) run.
DEBIAN_DEPS += nsd ldnsutils bind9-dnsutils unbound python3

UNIT_TESTS += test_dnsq_wire
test_dnsq_wire_EXTRA := dnsq/wire.c dnsq/wire_fmt.c

# libFuzzer harnesses: the message parser (with the presentation format)
# and the name decoder; seeds in fuzz/corpus/fuzz_dnsq_*/.
FUZZERS += fuzz_dnsq_msg fuzz_dnsq_name
FUZZ_fuzz_dnsq_msg_SRCS := common/buf.c dnsq/wire.c dnsq/wire_fmt.c
FUZZ_fuzz_dnsq_name_SRCS := common/buf.c dnsq/wire.c dnsq/wire_fmt.c
