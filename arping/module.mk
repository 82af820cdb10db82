# arping/ — iputils-compatible arping, plus --scan (arp-scan's job).
PROGRAMS += arping
arping_SRCS := $(addprefix arping/, main.c options.c arping.c scan.c output.c)
arping_CAPS := cap_net_raw+p
MANPAGES += arping/arping.8
DEBIAN_DEPS += iputils-arping arp-scan python3

UNIT_TESTS += test_arping_ether
test_arping_ether_EXTRA :=

FUZZERS += fuzz_arping
FUZZ_fuzz_arping_SRCS := $(addprefix common/, buf.c addr.c ether.c clock.c decode.c decode_l4.c \
	ip.c icmp.c cksum.c)
