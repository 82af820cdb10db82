# traceroute/ — Butskoy-compatible traceroute with tracepath's --mtu.
PROGRAMS += traceroute
traceroute_SRCS := $(addprefix traceroute/, main.c options.c trace.c wait.c reply.c match.c methods.c \
	method_udp.c method_icmp.c method_tcp.c pmtu.c output.c)
traceroute_CAPS := cap_net_raw+p
MANPAGES += traceroute/traceroute.8
DEBIAN_DEPS += traceroute iputils-tracepath mtr-tiny

UNIT_TESTS += test_traceroute
test_traceroute_EXTRA := $(addprefix traceroute/, match.c methods.c method_udp.c method_icmp.c \
	method_tcp.c trace.c wait.c reply.c pmtu.c output.c options.c)

FUZZERS += fuzz_traceroute
FUZZ_fuzz_traceroute_SRCS := $(addprefix traceroute/, match.c methods.c method_udp.c method_icmp.c \
	method_tcp.c trace.c wait.c reply.c pmtu.c output.c) \
	$(addprefix common/, buf.c cksum.c addr.c ip.c icmp.c udp.c tcp.c clock.c loop.c sock.c priv.c \
	json.c decode.c decode_l4.c pcap.c)
FUZZ_fuzz_traceroute_LIBS := $(shell pkg-config --libs libcap 2>/dev/null || echo -lcap)

