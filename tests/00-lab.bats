#!/usr/bin/env bats
# tests/00-lab.bats - proves the namespace lab (tests/lib/lab.bash) that every
# other test file builds on: isolation, unique names, cleanup (after failures
# too), veth links with MTU and v4/v6 addresses, routing, the vde2 impaired
# link, nft, the LAN bridge, the unprivileged user and the run helpers.
# Needs root. Only iputils ping and kernel peers are used: no netdiag binary.

load lib/lab

PING=/usr/bin/ping

setup_file() {
	if [[ $EUID -ne 0 ]]; then
		echo "00-lab.bats needs root (network namespaces)" >&2
		return 1
	fi
}

setup() {
	lab_init
	echo "$LAB_PREFIX $LAB_DIR" >>"$BATS_FILE_TMPDIR/labs"
}

teardown() {
	lab_teardown
}

# _gone PREFIX DIR: nothing of that lab is left on the machine
_gone() {
	local p=$1 d=$2 f
	for f in /run/netns/"$p"* /etc/netns/"$p"*; do
		if [[ -e $f ]]; then echo "left behind: $f"; return 1; fi
	done
	if [[ -e $d ]]; then echo "left behind: $d"; return 1; fi
	if pgrep -f -- "$d" >/dev/null; then
		echo "processes left behind:"
		pgrep -a -f -- "$d"
		return 1
	fi
	return 0
}

# _rtt_avg: the avg field of ping's "rtt min/avg/max/mdev = ..." line in $output
_rtt_avg() {
	awk -F'[/ ]' '/^rtt min\/avg\/max\/mdev/ { print $8 }' <<<"$output"
}

# _in_range X LO HI
_in_range() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'
}

@test "lab_ns: prefixed namespace, lo up, ICMP limits off, DAD off, private resolver files, no way out" {
	[[ $LAB_PREFIX =~ ^nd[A-Za-z0-9]{6}_$ ]]
	run lab_ns a
	assert_success
	assert_output "${LAB_PREFIX}a"
	run_t 5 -0 ip netns list
	assert_line --regexp "^${LAB_PREFIX}a( |$)"

	run_t 5 -0 lab_exec a ip -o link show lo
	assert_output --partial 'LOOPBACK,UP,LOWER_UP'
	run_t 5 -0 lab_exec a sysctl -n net.ipv4.icmp_ratelimit net.ipv6.icmp.ratelimit \
		net.ipv6.conf.all.accept_dad net.ipv6.conf.default.accept_dad
	assert_output $'0\n0\n0\n0'

	lab_ns k ratelimit=kernel
	run_t 5 -0 lab_exec k sysctl -n net.ipv4.icmp_ratelimit net.ipv6.icmp.ratelimit
	assert_output $'1000\n100'

	run_t 5 -0 lab_exec a cat /etc/resolv.conf
	assert_line 'nameserver 127.0.0.1'
	run_t 5 -0 lab_exec a cat /etc/hosts
	assert_output $'127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback'
	lab_hosts a '10.0.0.2 peer.lab'
	run_t 5 -0 lab_exec a getent hosts peer.lab
	assert_output --regexp '^10\.0\.0\.2 +peer\.lab$'
	# a name lookup fails at once, locally: nothing listens on 127.0.0.1:53 in here
	run_t 5 -2 lab_exec a getent ahosts netdiag-lab-probe.example
	# and there is no route anywhere but the lab
	run_t 5 '!' lab_exec a ip route get 192.0.2.1
	assert_output --partial 'Network is unreachable'
	run_t 5 '!' lab_exec a ip -6 route get 2001:db8::1
	assert_output --partial 'Network is unreachable'
}

@test "lab_cleanup: removes namespaces, processes, /etc/netns and state; idempotent" {
	local p=$LAB_PREFIX d=$LAB_DIR pids
	lab_ns a
	lab_ns b
	lab_link a b 10.0.0.1/24 10.0.0.2/24
	lab_impair_link a b 5 0 0 ifa=wa ifb=wb 10.0.1.1/24 10.0.1.2/24
	lab_bg b sleep 300
	pids=$(lab_pids)
	[[ $(wc -w <<<"$pids") -eq 4 ]] # 2 vde_switch, dpipe, sleep
	[[ -d /etc/netns/${p}a ]]
	pgrep -f -- "$d" >/dev/null

	lab_cleanup
	run _gone "$p" "$d"
	assert_success
	for pid in $pids; do
		if [[ -d /proc/$pid ]]; then
			[[ $(awk '{ print $3 }' "/proc/$pid/stat") == Z ]]
		fi
	done
	[[ -z ${LAB_PREFIX:-} ]]

	run lab_cleanup
	assert_success
	# and a new lab gets a new prefix
	lab_init
	[[ $LAB_PREFIX != "$p" ]]
	echo "$LAB_PREFIX $LAB_DIR" >>"$BATS_FILE_TMPDIR/labs"
}

@test "cleanup after failure: a failing bats test, a failing script, a SIGKILLed owner" {
	local t=$BATS_TEST_TMPDIR p d at=@test
	# 1. a bats test that fails half-way through building its lab ($at: a
	# literal one here would be taken by bats for a test of this file)
	cat >"$t/fail.bats" <<EOF
load "$LAB_LIB_DIR/lab"
setup() { lab_init; echo "\$LAB_PREFIX \$LAB_DIR" >"$t/bats.lab"; }
teardown() { lab_teardown; }
$at "fails with a lab up" {
	lab_ns x
	lab_ns y
	lab_link x y 10.9.0.1/24 10.9.0.2/24
	lab_bg x sleep 300
	false
}
EOF
	# a clean environment (bats exports its own state and puts its libexec first
	# in PATH) and fd 3 closed (it is this run's TAP stream)
	local path
	path=$(tr : '\n' <<<"$PATH" | grep -v bats-core | paste -sd:)
	run_t 30 -1 env -i PATH="$path" bats "$t/fail.bats" 3>&-
	assert_line 'not ok 1 fails with a lab up'
	assert_output --partial '---- end of lab ----'
	read -r p d <"$t/bats.lab"
	run _gone "$p" "$d"
	assert_success

	# 2. a script under set -e that fails: lab_init's EXIT trap cleans up
	run_t 15 -1 env -u LAB_DIR -u LAB_PREFIX bash -c \
		'set -e; source "$1"; lab_init; echo "$LAB_PREFIX $LAB_DIR" >"$2"; lab_ns x; lab_bg x sleep 300; false' \
		sh "$LAB_LIB_DIR/lab.bash" "$t/script.lab"
	read -r p d <"$t/script.lab"
	run _gone "$p" "$d"
	assert_success

	# 3. the owner is killed with SIGKILL: no trap runs, the reaper cleans up
	run_t 15 -137 env -u LAB_DIR -u LAB_PREFIX bash -c \
		'source "$1"; lab_init; echo "$LAB_PREFIX $LAB_DIR" >"$2"; lab_ns x >"$2.ns"; lab_bg x sleep 300; kill -9 $$' \
		sh "$LAB_LIB_DIR/lab.bash" "$t/kill.lab"
	read -r p d <"$t/kill.lab"
	[[ $(<"$t/kill.lab.ns") == "${p}x" ]] # it had made its namespace
	lab_wait 5 _gone "$p" "$d"
}

@test "lab_link: veth with the MTU asked; v4 and v6 ping both ways, the first probe at once" {
	lab_ns a
	lab_ns b
	lab_link a b mtu=1400 10.0.0.1/24 10.0.0.2/24 fd00::1/64 fd00::2/64
	run_t 5 -0 lab_exec a ip -o link show to-b
	assert_output --partial 'mtu 1400 '
	run_t 5 -0 lab_exec b ip -o link show to-a
	assert_output --partial 'mtu 1400 '

	# no DAD, no linkwatch delay: the very first v6 probe is answered within 100 ms
	run_t 5 -0 lab_exec a "$PING" -6 -c 1 -W 2 fd00::2
	assert_line --regexp '^64 bytes from fd00::2: icmp_seq=1 ttl=64 time=[0-9.]+ ms$'
	_in_range "$(sed -n 's/.*icmp_seq=1 .* time=\([0-9.]*\) ms/\1/p' <<<"$output")" 0 100
	run_t 5 -0 lab_exec b "$PING" -6 -c 2 -i 0.1 -W 2 fd00::1
	assert_line --regexp '^64 bytes from fd00::1: icmp_seq=2 ttl=64 time=[0-9.]+ ms$'
	assert_line --regexp '^2 packets transmitted, 2 received, 0% packet loss'
	run_t 5 -0 lab_exec a "$PING" -c 2 -i 0.1 -W 2 10.0.0.2
	assert_line --regexp '^64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=[0-9.]+ ms$'
	assert_line --regexp '^2 packets transmitted, 2 received, 0% packet loss'
	run_t 5 -0 lab_exec b "$PING" -c 1 -W 2 10.0.0.1
	assert_line --regexp '^64 bytes from 10.0.0.1: icmp_seq=1 ttl=64'

	# the MTU is real: 1372 + 28 fits, 1373 does not
	run_t 5 -0 lab_exec a "$PING" -M "do" -s 1372 -c 1 -W 2 10.0.0.2
	assert_line --regexp '^1380 bytes from 10.0.0.2'
	run_t 5 '!' lab_exec a "$PING" -M "do" -s 1373 -c 1 -W 0.3 10.0.0.2
	assert_output --partial 'message too long, mtu=1400'
}

@test "routed chain c - r - s: TTL 63 through the router, ping -t 1 gets Time to live exceeded" {
	lab_ns c
	lab_ns r
	lab_ns s
	lab_link c r 10.0.1.1/24 10.0.1.2/24 fd00:1::1/64 fd00:1::2/64
	lab_link r s 10.0.2.1/24 10.0.2.2/24 fd00:2::1/64 fd00:2::2/64
	lab_router r
	lab_route c default via 10.0.1.2
	lab_route c default via fd00:1::2
	lab_route s default via 10.0.2.1
	lab_route s default via fd00:2::1

	run_t 5 -0 lab_exec c "$PING" -c 1 -W 2 10.0.2.2
	assert_line --regexp '^64 bytes from 10.0.2.2: icmp_seq=1 ttl=63 '
	run_t 5 -1 lab_exec c "$PING" -t 1 -c 1 -W 2 10.0.2.2
	assert_line 'From 10.0.1.2 icmp_seq=1 Time to live exceeded'

	run_t 5 -0 lab_exec c "$PING" -6 -c 1 -W 2 fd00:2::2
	assert_line --regexp '^64 bytes from fd00:2::2: icmp_seq=1 ttl=63 '
	run_t 5 -1 lab_exec c "$PING" -6 -t 1 -c 1 -W 2 fd00:2::2
	assert_line 'From fd00:1::2 icmp_seq=1 Time exceeded: Hop limit'
}

@test "impaired link: RTT is 2 x delay (0, 5, 20 ms) through vde2 wirefilter" {
	local d lo hi avg
	for d in 0 5 20; do
		lab_ns "a$d"
		lab_ns "b$d"
		lab_impair_link "a$d" "b$d" "$d" 0 0 mtu=1400 10.0.0.1/24 10.0.0.2/24 fd00::1/64 fd00::2/64
	done
	run_t 5 -0 lab_exec a20 ip -o link show to-b20
	assert_output --partial 'mtu 1400 '
	for d in 0 5 20; do
		lo=$((2 * d - 1)) hi=$((2 * d + 6))
		if ((lo < 0)); then lo=0; fi
		# the first probe also pays for ARP (ND) through the same wire
		run_t 5 -0 lab_exec "a$d" "$PING" -c 1 -W 2 10.0.0.2
		run_t 5 -0 lab_exec "a$d" "$PING" -6 -c 1 -W 2 fd00::2
		run_t 5 -0 lab_exec "a$d" "$PING" -q -c 10 -i 0.05 -W 2 10.0.0.2
		assert_line --regexp '^10 packets transmitted, 10 received'
		avg=$(_rtt_avg)
		echo "delay $d ms: v4 avg rtt $avg ms"
		_in_range "$avg" "$lo" "$hi"
		run_t 5 -0 lab_exec "a$d" "$PING" -6 -q -c 10 -i 0.05 -W 2 fd00::2
		avg=$(_rtt_avg)
		echo "delay $d ms: v6 avg rtt $avg ms"
		_in_range "$avg" "$lo" "$hi"
	done
}

@test "impaired link: loss and duplication show in ping counts; bad parameters refused" {
	local rx
	lab_ns a
	lab_ns b
	lab_ns c
	lab_ns d
	# static neighbours: ARP would be lost too, and the first seconds with it
	lab_impair_link a b 0 30 0 neigh=static 10.0.0.1/24 10.0.0.2/24
	lab_impair_link c d 0 0 30 neigh=static 10.0.0.1/24 10.0.0.2/24

	# 30% each way: ~49% of round trips survive
	run_t 10 -0 lab_exec a "$PING" -q -c 100 -i 0.01 -W 0.3 10.0.0.2
	rx=$(sed -n 's/^100 packets transmitted, \([0-9]*\) received.*/\1/p' <<<"$output")
	echo "loss 30%/direction: $rx of 100 came back"
	_in_range "$rx" 20 80

	run_t 10 -0 lab_exec c "$PING" -c 50 -i 0.01 -W 0.3 10.0.0.2
	assert_line --regexp '^50 packets transmitted, 50 received, \+[0-9]+ duplicates, 0% packet loss'
	assert_output --partial '(DUP!)'

	run lab_impair_link a c 0 0 100
	assert_failure
	assert_output --partial 'dup must be < 100'
	run lab_impair_link a c 0 0 0 mtu=9000
	assert_failure
	assert_output --partial 'vde2 drops frames above 1518 bytes'
}

@test "lab_nft: reject with an ICMP type, then silent drop" {
	lab_ns a
	lab_ns b
	lab_link a b 10.0.0.1/24 10.0.0.2/24
	lab_nft b input 'icmp type echo-request reject with icmp type admin-prohibited'
	run_t 5 -1 lab_exec a "$PING" -c 1 -W 1 10.0.0.2
	assert_line 'From 10.0.0.2 icmp_seq=1 Packet filtered'

	lab_nft b 'flush chain inet lab input
add rule inet lab input icmp type echo-request drop'
	run_t 5 -1 lab_exec a "$PING" -c 1 -W 0.3 10.0.0.2
	assert_line --regexp '^1 packets transmitted, 0 received, 100% packet loss'
	refute_output --partial 'From '

	lab_sysctl b net.ipv4.icmp_echo_ignore_all=1
	run_t 5 -0 lab_exec b sysctl -n net.ipv4.icmp_echo_ignore_all
	assert_output 1
}

@test "lab_bridge: one LAN segment, members joined now and later" {
	lab_ns h1
	lab_ns h2
	lab_ns h3
	lab_bridge lan0 h1=10.5.0.1/24,fd00:5::1/64 h2=10.5.0.2/24,fd00:5::2/64
	lab_bridge lan0 h3=10.5.0.3/24
	run_t 5 -0 lab_exec h1 "$PING" -c 1 -W 1 10.5.0.2
	run_t 5 -0 lab_exec h1 "$PING" -c 1 -W 1 10.5.0.3
	run_t 5 -0 lab_exec h3 "$PING" -c 1 -W 1 10.5.0.2
	run_t 5 -0 lab_exec h2 "$PING" -6 -c 1 -W 1 fd00:5::1
	# h1 learnt h2's real MAC over the LAN
	local mac
	mac=$(lab_exec h2 cat /sys/class/net/lan0/address)
	run_t 5 -0 lab_exec h1 ip neigh show 10.5.0.2
	assert_output --partial "lladdr $mac "
	# three ports on one bridge, in a namespace of its own
	run_t 5 -0 lab_exec br-lan0 ip -o link show master br0
	[[ ${#lines[@]} -eq 3 ]]
}

@test "lab_user, lab_capbin, lab_as: unprivileged runs with and without cap_net_raw" {
	lab_user
	[[ $LAB_USER_UID -gt 0 ]]
	lab_ns a
	lab_ns b
	lab_link a b 10.0.0.1/24 10.0.0.2/24
	local plain cap
	plain=$(lab_capbin "$PING" "" ping-plain)
	cap=$(lab_capbin "$PING" cap_net_raw+p ping-cap)
	run_t 5 -0 getcap "$cap"
	assert_output --partial 'cap_net_raw=p'

	run_t 5 -0 lab_as a id -u
	assert_output "$LAB_USER_UID"
	# ping_group_range is "1 0" in a new namespace: no ICMP datagram sockets
	run_t 5 '!' lab_as a "$plain" -c 1 -W 1 10.0.0.2
	assert_output --partial 'Operation not permitted'
	run_t 5 -0 lab_as a "$cap" -c 1 -W 1 10.0.0.2
	assert_line --regexp '^64 bytes from 10.0.0.2'
	# and with the group allowed, the plain copy works too
	lab_sysctl a "net.ipv4.ping_group_range=$LAB_USER_GID $LAB_USER_GID"
	run_t 5 -0 lab_as a "$plain" -c 1 -W 1 10.0.0.2
	assert_line --regexp '^64 bytes from 10.0.0.2'
}

@test "lab_bg, lab_kill, lab_wait, run_t: tracking, timeouts, status checks" {
	lab_ns a
	lab_bg a sleep 300
	local pid=$LAB_PID
	[[ -d /proc/$pid ]]
	# its own process group, inside the namespace
	[[ $(awk '{ print $5 }' "/proc/$pid/stat") == "$pid" ]]
	run_t 5 -0 ip netns pids "${LAB_PREFIX}a"
	assert_line "$pid"
	run lab_pids
	assert_output "$pid"
	lab_kill "$pid"
	run lab_pids
	assert_output ''

	lab_bg a sh -c "sleep 0.3; touch '$BATS_TEST_TMPDIR/ready'"
	lab_wait 5 test -e "$BATS_TEST_TMPDIR/ready"
	run lab_wait 0.2 false
	assert_failure

	local t0=$SECONDS out
	run_t 0.5 sleep 10
	assert_equal "$status" 124
	((SECONDS - t0 < 4))
	out=$(run_t 0.5 lab_exec a sleep 10)
	[[ $out == *'$ lab_exec a sleep 10'* && $out == *'TIMED OUT'* ]]
	# status checks fail the caller with the reason
	if (run_t 2 -3 false) >"$BATS_TEST_TMPDIR/o"; then false; fi
	grep -q 'expected exit status 3, got 1' "$BATS_TEST_TMPDIR/o"
	if (run_t 2 lab_dump) 2>"$BATS_TEST_TMPDIR/e"; then false; fi
	grep -q 'is a shell function' "$BATS_TEST_TMPDIR/e"
}

@test "no leftovers: every lab of this file is gone" {
	local p d n=0
	while read -r p d; do
		if [[ $p == "$LAB_PREFIX" ]]; then continue; fi
		n=$((n + 1))
		run _gone "$p" "$d"
		assert_success
	done <"$BATS_FILE_TMPDIR/labs"
	[[ $n -ge 10 ]]
}
