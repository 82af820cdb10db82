# shellcheck shell=bash
# tests/lib/dhcpc.bash - the DHCP LAN for tests/60-dhcpc*.bats and bench/dhcpc.sh.
#
#   dhcpc_lan                  bridge LAN "lan": srv 10.67.0.1/24, srv2 10.67.0.2/24,
#                              holder 10.67.0.77/24, cli (no address, MAC $DHCPC_MAC)
#   dhcpc_dnsmasq NS NAME ARGS...
#                              start dnsmasq (Debian's) in NS on "lan" with its own
#                              lease file, pid file and log under $LAB_DIR/NAME.*:
#                              no DNS (--port=0), no config file, no resolv.conf,
#                              --log-dhcp to $LAB_DIR/NAME.log; extra ARGS appended;
#                              waits until it listens on UDP 67
#   dhcpc_stop NAME            stop that dnsmasq
#   dhcpc_ms FILE REGEX [N]    ms stamp of a step line in dhcpc output
#   dhcpc_hook FILE            a -s hook that logs events and environment to FILE.out
#
# dnsmasq's defaults would hide what the client does: --no-ping (its 3 s ICMP
# check before an offer, research 2.5) is on, --dhcp-authoritative lets it NAK
# an INIT-REBOOT for an address it never leased.

DHCPC_MAC=02:00:00:00:60:01

dhcpc_lan() {
	local n
	for n in srv srv2 holder cli; do lab_ns "$n" >/dev/null || return 1; done
	lab_bridge lan srv=10.67.0.1/24 srv2=10.67.0.2/24 holder=10.67.0.77/24 cli || return 1
	ip -n "$(lab_nsname cli)" link set lan address "$DHCPC_MAC" || return 1
	# no IPv6 chatter on the client's link
	lab_sysctl cli net.ipv6.conf.lan.disable_ipv6=1 >/dev/null
}

dhcpc_dnsmasq() {
	local ns=$1 name=$2
	shift 2
	local d=$LAB_DIR/$name
	rm -f "$d.leases" "$d.log" "$d.pid"
	: >"$d.leases"
	chmod 0666 "$d.leases"
	lab_bg "$ns" /usr/sbin/dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --port=0 \
		--interface=lan --bind-interfaces --no-ping \
		--dhcp-leasefile="$d.leases" --pid-file="$d.pid" --log-dhcp --log-facility="$d.log" \
		--user=root --group=root "$@" || return 1
	eval "DHCPC_PID_${name//[^A-Za-z0-9]/_}=$LAB_PID"
	lab_wait 5 lab_exec "$ns" sh -c "ss -uln | grep -q ':67 '"
}

dhcpc_stop() {
	local v="DHCPC_PID_${1//[^A-Za-z0-9]/_}"
	if [[ -n ${!v:-} ]]; then lab_kill "${!v}" || true; fi
	eval "$v="
}

# dhcpc_ms FILE REGEX [N]      the "ms since start" stamp of the Nth (default 1st)
#                              step line of dhcpc's output matching REGEX, as an integer
dhcpc_ms() {
	grep -E -- "$2" "$1" | sed -n "${3:-1}p" | awk '{ printf "%d\n", $1 }'
}

# dhcpc_hook FILE              write a hook that appends "event=$1" and its sorted
#                              environment, then a blank line, to FILE.out
dhcpc_hook() {
	# shellcheck disable=SC2016 # $1 is the hook's, expanded when it runs
	printf '#!/bin/sh\n{ echo "event=$1"; env | sort; echo; } >>"%s.out"\n' "$1" >"$1"
	chmod 755 "$1"
	rm -f "$1.out"
}
