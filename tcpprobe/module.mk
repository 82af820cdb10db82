# tcpprobe/ — SYN-handshake prober (models: hping3 -S, nping --tcp, nmap -sS, tcping).
PROGRAMS += tcpprobe
tcpprobe_SRCS := $(addprefix tcpprobe/, main.c options.c scan.c syn.c raw.c connect.c output.c)
tcpprobe_CAPS := cap_net_raw+p
MANPAGES += tcpprobe/tcpprobe.8
# Model tools for the comparison tests and bench/tcpprobe.sh; socat is the
# real listener the tests start.
DEBIAN_DEPS += hping3 nmap socat iputils-ping
UNIT_TESTS += test_tcpprobe
test_tcpprobe_EXTRA := tcpprobe/syn.c
# The reply parser (TCP segment with options, ICMP error quoting a SYN);
# syn.c's port holder pulls in sock.c, hence priv.c and libcap.
FUZZERS += fuzz_tcpprobe
fuzz_tcpprobe_SRCS := tcpprobe/syn.c $(addprefix common/, buf.c cksum.c addr.c ip.c icmp.c tcp.c \
	clock.c priv.c sock.c)
fuzz_tcpprobe_LIBS := $(shell pkg-config --libs libcap 2>/dev/null || echo -lcap)
