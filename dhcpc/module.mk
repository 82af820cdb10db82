# dhcpc/ — a DHCP client that shows its work (issue 7).
PROGRAMS += dhcpc
dhcpc_SRCS := $(addprefix dhcpc/, main.c options.c msg.c lease.c fsm.c link.c arp.c apply.c output.c)
dhcpc_CAPS := cap_net_raw,cap_net_admin+p
MANPAGES += dhcpc/dhcpc.8
# dnsmasq-base: the server binary without the package's service (the full
# "dnsmasq" package would start a DNS server on the host); busybox
# (udhcpc), isc-dhcp-client (dhclient) and dhcpcd-base for bench/dhcpc.sh.
DEBIAN_DEPS += dnsmasq-base busybox isc-dhcp-client dhcpcd-base

UNIT_TESTS += test_dhcpc_msg
test_dhcpc_msg_EXTRA := $(addprefix dhcpc/, msg.c lease.c link.c output.c)

FUZZERS += fuzz_dhcpc_msg
fuzz_dhcpc_msg_SRCS := $(addprefix dhcpc/, msg.c lease.c) \
	$(addprefix common/, buf.c addr.c)
