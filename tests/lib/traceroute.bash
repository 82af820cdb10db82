# shellcheck shell=bash
# tests/lib/traceroute.bash - the topologies tests/20-traceroute.bats and
# bench/traceroute.sh trace through (needs tests/lib/lab.bash loaded).
#
# trt_chain [DELAY_MS]: the main chain, IPv4 and IPv6 on every link
#
#   c --1-- r1 --2-- r2 --3-- r3 ==4== r4a ==6== r5 --8-- r6 --9-- d
#                      mtu 1400  \==5== r4b ==7==/  mtu 1280
#
#   link N: 10.20.N.1 (left) / 10.20.N.2 (right), fd00:20:N::1 / ::2
#   hops from c: r1 1, r2 2, r3 3, r4a|r4b 4, r5 5, r6 6, d 7
#   r3 spreads traffic to d over r4a and r4b (ECMP, L4 hash), so a
#   traceroute whose ports change per probe sees both at hop 4.
#   Links 1 and 9 go through vde2 wirefilter with DELAY_MS each way
#   (default 2), the rest are plain veths.  Every router answers without
#   ICMP rate limits (the lab default).
#
# trt_chain_rl: a second, short chain with the kernel's ICMP rate limits:
#   c2 --11-- q1 --12-- q2 --13-- q3 --14-- d2     (10.20.1N.x, hops 1..4)
#
# trt_silent NS / trt_unsilent NS: NS stops / resumes sending time exceeded
# trt_blackhole NS / trt_unblackhole NS: NS drops too-big packets silently
#   (its frag-needed / packet-too-big are dropped on output)

TRT_D4=10.20.9.2
TRT_D6=fd00:20:9::2

_trt_link() {   # _trt_link A B N [lab_link options...]
	local a=$1 b=$2 n=$3
	shift 3
	lab_link "$a" "$b" "$@" "10.20.$n.1/24" "10.20.$n.2/24" "fd00:20:$n::1/64" "fd00:20:$n::2/64"
}

_trt_impair() {   # _trt_impair A B N DELAY
	lab_impair_link "$1" "$2" "$4" 0 0 neigh=static "10.20.$3.1/24" "10.20.$3.2/24" \
		"fd00:20:$3::1/64" "fd00:20:$3::2/64"
}

# _trt_routes NS LEFT_N RIGHT_N: default route to the left (towards c) is
# not used; explicit routes: client side nets via left, the rest via right
_trt_via() {   # _trt_via NS NET_N VIA_N(side: 1 or 2) PREFIX_LIST...
	local ns=$1 gw4=$2 gw6=$3
	shift 3
	local n
	for n in "$@"; do
		lab_route "$ns" "10.20.$n.0/24" via "$gw4"
		lab_route "$ns" "fd00:20:$n::/64" via "$gw6"
	done
}

trt_chain() {
	local delay=${1:-2} ns
	for ns in c r1 r2 r3 r4a r4b r5 r6 d; do lab_ns "$ns" >/dev/null || return 1; done
	for ns in r1 r2 r3 r4a r4b r5 r6; do lab_router "$ns" >/dev/null || return 1; done
	_trt_impair c r1 1 "$delay" || return 1
	_trt_link r1 r2 2 || return 1
	_trt_link r2 r3 3 mtu=1400 || return 1
	_trt_link r3 r4a 4 || return 1
	_trt_link r3 r4b 5 || return 1
	_trt_link r4a r5 6 || return 1
	_trt_link r4b r5 7 || return 1
	_trt_link r5 r6 8 mtu=1280 || return 1
	_trt_impair r6 d 9 "$delay" || return 1
	# towards d
	_trt_via c 10.20.1.2 fd00:20:1::2 2 3 4 5 6 7 8 9 || return 1
	_trt_via r1 10.20.2.2 fd00:20:2::2 3 4 5 6 7 8 9 || return 1
	_trt_via r2 10.20.3.2 fd00:20:3::2 4 5 6 7 8 9 || return 1
	local n
	for n in 6 7 8 9; do
		lab_route r3 "10.20.$n.0/24" nexthop via 10.20.4.2 nexthop via 10.20.5.2 || return 1
		lab_route r3 "fd00:20:$n::/64" nexthop via fd00:20:4::2 nexthop via fd00:20:5::2 || return 1
	done
	lab_sysctl r3 net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1 >/dev/null || return 1
	_trt_via r4a 10.20.6.2 fd00:20:6::2 8 9 || return 1
	_trt_via r4b 10.20.7.2 fd00:20:7::2 8 9 || return 1
	_trt_via r5 10.20.8.2 fd00:20:8::2 9 || return 1
	# towards c (single path back through r4a)
	_trt_via d 10.20.9.1 fd00:20:9::1 1 2 3 4 5 6 7 8 || return 1
	_trt_via r6 10.20.8.1 fd00:20:8::1 1 2 3 4 5 6 7 || return 1
	_trt_via r5 10.20.6.1 fd00:20:6::1 1 2 3 4 5 || return 1
	_trt_via r4a 10.20.4.1 fd00:20:4::1 1 2 3 5 7 || return 1
	_trt_via r4b 10.20.5.1 fd00:20:5::1 1 2 3 4 6 || return 1
	_trt_via r3 10.20.3.1 fd00:20:3::1 1 2 || return 1
	_trt_via r2 10.20.2.1 fd00:20:2::1 1 || return 1
	# the path works end to end, both families
	lab_wait 10 lab_exec c ping -c1 -W1 "$TRT_D4" || return 1
	lab_wait 10 lab_exec c ping -6 -c1 -W1 "$TRT_D6" || return 1
}

trt_chain_rl() {
	local ns
	for ns in c2 q1 q2 q3 d2; do lab_ns "$ns" ratelimit=kernel >/dev/null || return 1; done
	for ns in q1 q2 q3; do lab_router "$ns" >/dev/null || return 1; done
	_trt_link c2 q1 11 || return 1
	_trt_link q1 q2 12 || return 1
	_trt_link q2 q3 13 || return 1
	_trt_link q3 d2 14 || return 1
	_trt_via c2 10.20.11.2 fd00:20:11::2 12 13 14 || return 1
	_trt_via q1 10.20.12.2 fd00:20:12::2 13 14 || return 1
	_trt_via q2 10.20.13.2 fd00:20:13::2 14 || return 1
	_trt_via d2 10.20.14.1 fd00:20:14::1 11 12 13 || return 1
	_trt_via q3 10.20.13.1 fd00:20:13::1 11 12 || return 1
	_trt_via q2 10.20.12.1 fd00:20:12::1 11 || return 1
	lab_wait 10 lab_exec c2 ping -c1 -W1 10.20.14.2 || return 1
}

trt_silent() {
	lab_nft "$1" 'table inet trt_silent {
	chain output {
		type filter hook output priority 0; policy accept;
		icmp type time-exceeded drop
		icmpv6 type time-exceeded drop
	}
}'
}
trt_unsilent() { lab_exec "$1" nft delete table inet trt_silent; }

trt_blackhole() {
	lab_nft "$1" 'table inet trt_bh {
	chain output {
		type filter hook output priority 0; policy accept;
		icmp type destination-unreachable icmp code frag-needed drop
		icmpv6 type packet-too-big drop
	}
}'
}
trt_unblackhole() { lab_exec "$1" nft delete table inet trt_bh; }

# trt_mask: Butskoy/netdiag output with the numbers that change between
# runs masked, for line-by-line format comparison
trt_mask() {
	sed -E 's/[0-9]+\.[0-9]{3} ms/N ms/g'
}
