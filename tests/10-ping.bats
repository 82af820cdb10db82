#!/usr/bin/env bats
# tests/10-ping.bats - our ping next to iputils ping 20221126 (/usr/bin/ping), on
# one topology built once for the file (tests/lib/ping.bash draws it): client c,
# router r, server s behind a 1300-byte link, a silent address, an unused
# on-link address, a network the router has no route to, and three vde2 links
# (loss, duplication, 200 ms round trip).
#
# Where both tools run, they run the same command in the same test and are
# compared the way a user compares them: the lines with the numbers masked,
# the footer counts, the loss %, the exit status. Where SPEC.md departs from
# iputils (usage errors exit 2, fractions for -w/-W/-i, several destinations,
# in-flight probes at Ctrl-C, --json, -v, --pcap) our ping is held to SPEC.md.
# Needs root. Our binary is $ND_BUILD/ping/ping.

bats_require_minimum_version 1.5.0
load lib/lab
load lib/ping

export ND_BUILD=${ND_BUILD:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}

setup_file() {
	if [[ $EUID -ne 0 ]]; then
		echo "10-ping.bats needs root (network namespaces)" >&2
		return 1
	fi
	if [[ ! -x $ND_BUILD/ping/ping ]]; then
		echo "no $ND_BUILD/ping/ping: build it first" >&2
		return 1
	fi
	lab_init
	ping_topology full
	ping_bins "$BATS_FILE_TMPDIR/bin"
}

teardown_file() {
	lab_cleanup
}

teardown() {
	ping_teardown
}

# the lines of ours and of iputils' output are the same once numbers are masked
_same_shape() {
	assert_equal "$(ping_mask <<<"$output")" "$(ping_mask <<<"$ref_output")"
}

# _footer_time TEXT: the "time Nms" of the footer
_footer_time() {
	sed -nE 's/^[0-9]+ packets transmitted, .*, time ([0-9]+)ms$/\1/p' <<<"$1"
}

# _errors STDOUT STDERR: the ICMP error and local error lines, seq masked, sorted, unique
_errors() {
	printf '%s\n%s\n' "$1" "$2" | grep -E '^(From |ping: local error)' |
		sed -E 's/icmp_seq=[0-9]+/icmp_seq=N/' | sort -u
}

# _stats_of DST: the footer line after "--- DST ping statistics ---" in $output
_stats_of() {
	awk -v h="--- $1 ping statistics ---" 'f { print; exit } $0 == h { f = 1 }' <<<"$output"
}

# _in LO HI X: LO <= X <= HI
_in() {
	echo "expect $1 <= $3 <= $2"
	awk -v lo="$1" -v hi="$2" -v x="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'
}

RTT_RE='^rtt min/avg/max/mdev = [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3} ms'

# ---------------------------------------------------------------- replies and footer

@test "reply lines and footer as iputils (v4, -c 3 -i 0.2); avg/mdev agree with the times printed" {
	ping_both 10 -c 3 -i 0.2 10.0.2.2
	assert_equal "$ref_status" 0
	assert_success
	_same_shape
	assert_equal "$stderr" ""
	assert_line --index 0 'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.'
	local s
	for s in 1 2 3; do
		assert_line --regexp "^64 bytes from 10\.0\.2\.2: icmp_seq=$s ttl=63 time=[0-9]+\.[0-9]{3} ms$"
	done
	assert_line '--- 10.0.2.2 ping statistics ---'
	assert_line --regexp '^3 packets transmitted, 3 received, 0% packet loss, time [0-9]+ms$'
	assert_line --regexp "$RTT_RE\$"
	ping_check_stats "$output"
	# -i 0.2: the footer's time runs from the first send to the last, ~400 ms
	local t
	t=$(_footer_time "$output")
	((t >= 390 && t <= 600))
}

@test "reply lines and footer as iputils (v6); RTT statistics agree with 200 ms replies" {
	ping_both 10 -c 2 -i 0.2 fd00:2::2
	assert_equal "$ref_status" 0
	assert_success
	_same_shape
	assert_line --index 0 'PING fd00:2::2(fd00:2::2) 56 data bytes'
	assert_line --regexp '^64 bytes from fd00:2::2: icmp_seq=2 ttl=63 time=[0-9]+\.[0-9]{3} ms$'
	assert_line '--- fd00:2::2 ping statistics ---'
	assert_line --regexp '^2 packets transmitted, 2 received, 0% packet loss, time [0-9]+ms$'
	ping_check_stats "$output"

	# over 100 ms iputils prints whole milliseconds: "time=201 ms" (-i 0.3: one
	# probe in flight at a time, so no "pipe" either)
	ping_both 10 -c 3 -i 0.3 10.0.5.2
	assert_success
	_same_shape
	assert_line --regexp '^64 bytes from 10\.0\.5\.2: icmp_seq=3 ttl=64 time=2[0-9]{2} ms$'
	ping_check_stats "$output"
}

@test "-w deadline, with and without -c: counts and exit codes as iputils" {
	local w
	for w in ref ours; do
		ping_spawn "$w.a" 10 "$w" -w 1 -i 0.2 10.0.2.2         # answers: 0
		ping_spawn "$w.b" 10 "$w" -w 1 -i 0.2 10.0.2.3         # silent: 1
		ping_spawn "$w.c" 10 "$w" -w 1 -c 10 -i 0.2 10.0.2.2   # fewer replies than -c: 1
		ping_spawn "$w.d" 10 "$w" -w 3 -c 2 -i 0.2 10.0.2.2    # -c reached first: 0, early
		ping_spawn "$w.e" 10 "$w" -w 1 -c 2 -i 0.3 10.0.2.3    # -c counts replies: keeps sending
		ping_spawn "$w.f" 10 "$w" -w 1 -t 1 -i 0.2 10.0.2.2    # only errors: 1
	done
	ping_spawn ours.g 10 ours -w 0.5 -i 0.2 10.0.2.3           # SPEC: fractions
	local T R L
	for w in ref ours; do
		ping_reap "$w.a"
		assert_equal "$status" 0
		read -r T R L <<<"$(ping_footer "$output")"
		((T >= 5 && T <= 6 && R == T))
		_in 0.9 1.5 "$(ping_elapsed "$w.a")"

		ping_reap "$w.b"
		assert_equal "$status" 1
		read -r T R L <<<"$(ping_footer "$output")"
		((T >= 5 && T <= 6 && R == 0))
		assert_equal "$L" 100

		ping_reap "$w.c"
		assert_equal "$status" 1
		read -r T R L <<<"$(ping_footer "$output")"
		((R >= 4 && R < 10))

		ping_reap "$w.d"
		assert_equal "$status" 0
		assert_line --regexp '^2 packets transmitted, 2 received, 0% packet loss'
		_in 0 0.9 "$(ping_elapsed "$w.d")"

		ping_reap "$w.e"
		assert_equal "$status" 1
		assert_line --regexp '^4 packets transmitted, 0 received, 100% packet loss'

		ping_reap "$w.f"
		assert_equal "$status" 1
		assert_line 'From 10.0.1.1 icmp_seq=1 Time to live exceeded'
		assert_line --regexp '^[0-9]+ packets transmitted, 0 received, \+[0-9]+ errors, 100% packet loss'
	done
	ping_reap ours.g
	assert_equal "$status" 1
	assert_line --regexp '^3 packets transmitted, 0 received, 100% packet loss'
	_in 0.4 1.0 "$(ping_elapsed ours.g)"
}

@test "-W: how long to wait when nothing has come back; a late reply is not waited for" {
	local w
	for w in ref ours; do
		ping_spawn "$w.a" 10 "$w" -c 1 -W 0.5 10.0.2.3      # silent
		ping_spawn "$w.b" 10 "$w" -c 1 -W 0.1 10.0.5.2      # reply after 200 ms: too late
		ping_spawn "$w.c" 10 "$w" -c 1 -W 1 10.0.5.2        # in time
	done
	for w in ref ours; do
		ping_reap "$w.a"
		assert_equal "$status" 1
		assert_line --regexp '^1 packets transmitted, 0 received, 100% packet loss, time 0ms$'
		_in 0.45 1.5 "$(ping_elapsed "$w.a")"
		ping_reap "$w.b"
		assert_equal "$status" 1
		assert_line --regexp '^1 packets transmitted, 0 received, 100% packet loss'
		ping_reap "$w.c"
		assert_equal "$status" 0
		assert_line --regexp '^1 packets transmitted, 1 received, 0% packet loss'
	done
}

@test "-s 0: 8-byte replies without time= and no rtt line, as iputils" {
	ping_both 10 -c 2 -i 0.2 -s 0 10.0.2.2
	assert_equal "$ref_status" 0
	assert_success
	assert_line --index 0 'PING 10.0.2.2 (10.0.2.2) 0(28) bytes of data.'
	assert_line --regexp '^2 packets transmitted, 2 received, 0% packet loss, time [0-9]+ms$'
	# iputils: no room for a timestamp in the payload, so no time= and no rtt line
	assert_line '8 bytes from 10.0.2.2: icmp_seq=1 ttl=63'
	refute_line --regexp '^rtt '
	_same_shape
}

@test "-s 1400 through the 1300-byte link: -M want and dont fragment, v6 Packet too big then fragments" {
	PING_BEFORE=ping_flush_pmtu ping_both 10 -c 3 -i 0.2 -M want -s 1400 10.0.2.2
	assert_equal "$ref_status" 0
	assert_success
	_same_shape
	assert_line --index 0 'PING 10.0.2.2 (10.0.2.2) 1400(1428) bytes of data.'
	assert_line 'From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1300)'
	assert_line --regexp '^1408 bytes from 10\.0\.2\.2: icmp_seq=3 ttl=63 time=[0-9.]+ ms$'
	assert_line --regexp '^3 packets transmitted, 2 received, \+1 errors, 33\.3333% packet loss'

	PING_BEFORE=ping_flush_pmtu ping_both 10 -c 2 -i 0.2 -M dont -s 1400 10.0.2.2
	assert_success
	_same_shape
	assert_line --regexp '^1408 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=63 time=[0-9.]+ ms$'
	assert_line --regexp '^2 packets transmitted, 2 received, 0% packet loss'

	PING_BEFORE=ping_flush_pmtu ping_both 10 -c 3 -i 0.2 -s 1400 fd00:2::2
	assert_equal "$ref_status" 0
	assert_success
	_same_shape
	assert_line --index 0 'PING fd00:2::2(fd00:2::2) 1400 data bytes'
	assert_line 'From fd00:1::1 icmp_seq=1 Packet too big: mtu=1300'
	assert_line --regexp '^1408 bytes from fd00:2::2: icmp_seq=2 ttl=63 time=[0-9.]+ ms$'
}

@test "-M do -s 1400: Frag needed and DF set (mtu = 1300) / local error, the same set of lines as iputils (v4, v6)" {
	PING_BEFORE=ping_flush_pmtu ping_both 10 -c 3 -i 0.2 -M do -s 1400 10.0.2.2
	assert_equal "$ref_status" 1
	assert_failure 1
	assert_line --index 0 'PING 10.0.2.2 (10.0.2.2) 1400(1428) bytes of data.'
	assert_line --regexp '^3 packets transmitted, 0 received, \+3 errors, 100% packet loss'
	# the first probe meets the router; the kernel then knows the path MTU and
	# refuses the next ones itself: which seq gets which line may vary
	assert_equal "$(_errors "$output" "$stderr")" "$(_errors "$ref_output" "$ref_stderr")"
	run -0 _errors "$output" "$stderr"
	assert_line 'From 10.0.1.1 icmp_seq=N Frag needed and DF set (mtu = 1300)'
	assert_line 'ping: local error: message too long, mtu=1300'

	PING_BEFORE=ping_flush_pmtu ping_both 10 -c 3 -i 0.2 -M do -s 1400 fd00:2::2
	assert_equal "$ref_status" 1
	assert_failure 1
	assert_line --regexp '^3 packets transmitted, 0 received, \+3 errors, 100% packet loss'
	assert_equal "$(_errors "$output" "$stderr")" "$(_errors "$ref_output" "$ref_stderr")"
	run -0 _errors "$output" "$stderr"
	assert_line 'From fd00:1::1 icmp_seq=N Packet too big: mtu=1300'
	assert_line 'ping: local error: message too long, mtu: 1300'
}

# ---------------------------------------------------------------- ICMP errors

@test "-t 1: From ROUTER icmp_seq=N Time to live exceeded, exit 1; v6 Time exceeded: Hop limit" {
	ping_both 10 -c 2 -i 0.2 -t 1 10.0.2.2
	assert_equal "$ref_status" 1
	assert_failure 1
	_same_shape
	assert_line 'From 10.0.1.1 icmp_seq=1 Time to live exceeded'
	assert_line 'From 10.0.1.1 icmp_seq=2 Time to live exceeded'
	assert_line --regexp '^2 packets transmitted, 0 received, \+2 errors, 100% packet loss, time [0-9]+ms$'
	refute_line --regexp '^rtt '

	ping_both 10 -c 2 -i 0.2 -t 1 fd00:2::2
	assert_equal "$ref_status" 1
	assert_failure 1
	_same_shape
	assert_line 'From fd00:1::1 icmp_seq=1 Time exceeded: Hop limit'
	assert_line --regexp '^2 packets transmitted, 0 received, \+2 errors, 100% packet loss'
}

@test "Destination Host Unreachable for an on-link address nobody holds: +N errors, pipe, exit 1" {
	local w
	for w in ref ours; do ping_spawn "$w" 10 "$w" -c 3 -i 0.3 10.0.1.99; done
	ping_reap ref
	local ref_out=$output
	assert_equal "$status" 1
	ping_reap ours
	assert_equal "$status" 1
	assert_equal "$(ping_mask <<<"$output")" "$(ping_mask <<<"$ref_out")"
	assert_line 'From 10.0.1.2 icmp_seq=1 Destination Host Unreachable'
	assert_line 'From 10.0.1.2 icmp_seq=3 Destination Host Unreachable'
	assert_line --regexp '^3 packets transmitted, 0 received, \+3 errors, 100% packet loss, time [0-9]+ms$'
	assert_line --regexp '^pipe [23]$'
}

@test "IPv6 Destination unreachable: Address unreachable: lines and footer as iputils (no pipe for v6 errors)" {
	local w
	for w in ref ours; do ping_spawn "$w" 10 "$w" -c 3 -i 0.3 fd00:1::99; done
	ping_reap ref
	local ref_out=$output
	assert_equal "$status" 1
	ping_reap ours
	assert_equal "$status" 1
	assert_line 'From fd00:1::2 icmp_seq=1 Destination unreachable: Address unreachable'
	assert_line --regexp '^3 packets transmitted, 0 received, \+3 errors, 100% packet loss'
	# iputils 20221126 acknowledges v6 errors without counting them in "pipe"
	assert_equal "$(ping_mask <<<"$output")" "$(ping_mask <<<"$ref_out")"
}

@test "Destination Net Unreachable from the router without a route; v6 Destination unreachable: No route" {
	ping_both 10 -c 2 -i 0.2 -W 1 10.0.9.1
	assert_equal "$ref_status" 1
	assert_failure 1
	_same_shape
	assert_line 'From 10.0.1.1 icmp_seq=1 Destination Net Unreachable'
	assert_line --regexp '^2 packets transmitted, 0 received, \+2 errors, 100% packet loss'

	ping_both 10 -c 2 -i 0.2 -W 1 fd00:9::1
	assert_equal "$ref_status" 1
	assert_failure 1
	_same_shape
	assert_line 'From fd00:1::1 icmp_seq=2 Destination unreachable: No route'
}

# ---------------------------------------------------------------- output options

@test "-q: only the header and the footer; errors still counted" {
	ping_both 10 -q -c 3 -i 0.2 10.0.2.2
	assert_success
	_same_shape
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.'
	assert_line --index 1 '--- 10.0.2.2 ping statistics ---'
	assert_line --index 2 --regexp '^3 packets transmitted, 3 received, 0% packet loss'
	assert_line --index 3 --regexp "$RTT_RE\$"

	ping_both 10 -q -c 2 -i 0.2 -t 1 10.0.2.2
	assert_failure 1
	_same_shape
	refute_line --partial 'From '
	assert_line --regexp '^2 packets transmitted, 0 received, \+2 errors, 100% packet loss'
}

@test "a name from /etc/hosts: PING srv.lab (10.0.2.2), replies from srv.lab (10.0.2.2); -n numeric; v6 name" {
	ping_both 10 -c 2 -i 0.2 srv
	assert_success
	_same_shape
	assert_line --index 0 'PING srv.lab (10.0.2.2) 56(84) bytes of data.'
	assert_line --regexp '^64 bytes from srv\.lab \(10\.0\.2\.2\): icmp_seq=2 ttl=63 time=[0-9.]+ ms$'
	assert_line '--- srv.lab ping statistics ---'

	ping_both 10 -c 1 -n srv
	assert_success
	_same_shape
	assert_line --index 0 'PING srv.lab (10.0.2.2) 56(84) bytes of data.'
	assert_line --regexp '^64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=63 time=[0-9.]+ ms$'

	ping_both 10 -c 1 -t 1 srv
	assert_failure 1
	_same_shape
	assert_line 'From rtr.lab (10.0.1.1) icmp_seq=1 Time to live exceeded'

	ping_both 10 -c 1 srv6
	assert_success
	_same_shape
	assert_line --index 0 'PING srv6(srv6.lab (fd00:2::2)) 56 data bytes'
	assert_line --regexp '^64 bytes from srv6\.lab \(fd00:2::2\): icmp_seq=1 ttl=63 time=[0-9.]+ ms$'
	assert_line '--- srv6 ping statistics ---'
}

@test "unknown host: ping: NAME: Name or service not known, exit 2" {
	ping_both 5 -c 1 nosuch.invalid
	assert_equal "$ref_status" 2
	assert_failure 2
	assert_output ''
	assert_equal "$stderr" 'ping: nosuch.invalid: Name or service not known'
	assert_equal "$stderr" "$ref_stderr"
}

@test "-4 with a name that has only an IPv6 address: Address family for hostname not supported, as iputils" {
	ping_both 5 -4 -c 1 srv6
	assert_equal "$ref_status" 2
	assert_failure 2
	assert_equal "$stderr" "$ref_stderr"
	assert_equal "$stderr" 'ping: srv6: Address family for hostname not supported'
}

@test "-D: [sec.usec] before replies and errors, on the wall clock" {
	ping_both 10 -D -c 2 -i 0.2 10.0.2.2
	assert_success
	_same_shape
	assert_line --regexp '^\[[0-9]{10}\.[0-9]{6}\] 64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=63 time=[0-9.]+ ms$'
	local t1 t2 now
	t1=$(sed -nE 's/^\[([0-9.]+)\] .*icmp_seq=1 .*/\1/p' <<<"$output")
	t2=$(sed -nE 's/^\[([0-9.]+)\] .*icmp_seq=2 .*/\1/p' <<<"$output")
	now=${EPOCHREALTIME/,/.}
	_in "$(awk -v n="$now" 'BEGIN { printf "%.6f\n", n - 5 }')" "$now" "$t1"
	_in 0.15 0.5 "$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')"

	ping_both 10 -D -c 1 -t 1 10.0.2.2
	assert_failure 1
	_same_shape
	assert_line --regexp '^\[[0-9]{10}\.[0-9]{6}\] From 10\.0\.1\.1 icmp_seq=1 Time to live exceeded$'
}

@test "-O: no answer yet for icmp_seq=N, against a host that drops echo requests" {
	ping_both 10 -O -c 3 -i 0.2 -W 0.3 10.0.2.3
	assert_equal "$ref_status" 1
	assert_failure 1
	_same_shape
	assert_line 'no answer yet for icmp_seq=1'
	assert_line 'no answer yet for icmp_seq=2'
	refute_line 'no answer yet for icmp_seq=3'
	assert_line --regexp '^3 packets transmitted, 0 received, 100% packet loss'
}

@test "-p ff and -Q 0x28: PATTERN line as iputils; the payload and the TOS byte on the wire" {
	ping_both 10 -c 1 -p ff -Q 0x28 10.0.2.2
	assert_success
	_same_shape
	assert_line --index 0 'PATTERN: 0xff'
	assert_line --index 1 'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.'

	# what arrives at the server: TOS 0x28 and the pattern after the 16-byte timestamp
	ping_spawn_ns cap 10 s tcpdump -i to-r -nn -l -v -x -c 1 'icmp[icmptype] == icmp-echo'
	lab_wait 5 grep -q 'listening on' "$BATS_TEST_TMPDIR/run.cap.err"
	ping_run ours 10 -0 -c 1 -p ff -Q 0x28 10.0.2.2
	ping_reap cap
	assert_equal "$status" 0
	assert_output --regexp 'IP \(tos 0x28,'
	assert_output --partial '10.0.1.2 > 10.0.2.2: ICMP echo request'
	assert_line --regexp '^[[:space:]]+0x0030:  ffff ffff ffff ffff ffff ffff ffff ffff$'
	assert_line --regexp '^[[:space:]]+0x0050:  ffff ffff$'
}

@test "-l 3: the first three probes leave at once (pipe 3, as iputils)" {
	# over the 200 ms link the three are in flight together whatever the timing
	ping_both 10 -q -c 3 -l 3 -i 0.5 10.0.5.2
	assert_success
	_same_shape
	assert_line --regexp "$RTT_RE, pipe 3\$"
	# on a fast link too: iputils sends the preload before reading any reply
	ping_both 10 -q -c 3 -l 3 -i 0.2 10.0.2.2
	assert_equal "$ref_status" 0
	assert_success
	[[ $ref_output == *', pipe 3' ]]
	assert_line --regexp "$RTT_RE, pipe 3\$"
}

@test "-f -c 50: a dot per probe, a backspace per reply; footer with ipg/ewma" {
	ping_both 10 -f -c 50 10.0.2.2
	assert_equal "$ref_status" 0
	assert_success
	assert_line --index 0 'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.'
	local dots=${lines[1]} x
	[[ $dots =~ ^(\.|$'\b \b')+$ ]]
	x=${dots//[^.]/}
	assert_equal "${#x}" 50 # probes
	x=${dots//$'\b \b'/B}
	x=${x//[^B]/}
	assert_equal "${#x}" 50 # replies
	assert_line --regexp '^50 packets transmitted, 50 received, 0% packet loss, time [0-9]+ms$'
	assert_line --regexp "$RTT_RE, ipg/ewma [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3} ms\$"
	assert_equal "$(tail -n 2 <<<"$output" | ping_mask)" "$(tail -n 2 <<<"$ref_output" | ping_mask)"
}

@test "-f against a host that does not answer: keeps sending (every 10 ms), ends after -W" {
	ping_both 4 -f -c 5 -W 1 10.0.2.3
	assert_equal "$ref_status" 1
	assert_failure 1
	_same_shape
	assert_line --index 1 '.....'
	assert_line --regexp '^5 packets transmitted, 0 received, 100% packet loss'
}

@test "-I iface and -I addr: the header says from where (v4, v6)" {
	ping_both 10 -c 1 -I to-r 10.0.2.2
	assert_success
	_same_shape
	assert_line --index 0 'PING 10.0.2.2 (10.0.2.2) from 10.0.1.2 to-r: 56(84) bytes of data.'
	ping_both 10 -c 1 -I 10.0.1.2 10.0.2.2
	assert_success
	_same_shape
	assert_line --index 0 'PING 10.0.2.2 (10.0.2.2) from 10.0.1.2 : 56(84) bytes of data.'
	ping_both 10 -c 1 -I to-r fd00:2::2
	assert_success
	_same_shape
	assert_line --index 0 'PING fd00:2::2(fd00:2::2) from fd00:1::2 to-r: 56 data bytes'
	ping_both 10 -c 1 -I fd00:1::2 fd00:2::2
	assert_success
	_same_shape
	assert_line --index 0 'PING fd00:2::2(fd00:2::2) from fd00:1::2 : 56 data bytes'
	# an interface that does not exist
	ping_both 5 -c 1 -I nosuchif 10.0.2.2
	assert_failure 2
	assert_equal "$stderr" "$ref_stderr"
}

# ---------------------------------------------------------------- usage

@test "usage errors: exit 2, one line on stderr, iputils' wording" {
	local c
	local -a args
	for c in '-c abc 10.0.2.2' '-c 0 10.0.2.2' '' '-c 1' '-t 256 10.0.2.2' '-l 0 10.0.2.2' \
		'-M foo 10.0.2.2' '-Q 256 10.0.2.2' '-Q abc 10.0.2.2' '-p xyz 10.0.2.2' \
		'-4 -6 10.0.2.2' '-W 3000000 10.0.2.2'; do
		read -r -a args <<<"$c"
		ping_both 5 "${args[@]}"
		[[ $ref_status -ne 0 && -n $ref_stderr ]] # iputils refuses it too
		assert_equal "$status" 2
		assert_output ''
		[[ -n $stderr && $stderr != *$'\n'* ]] # one line
		assert_equal "$stderr" "$ref_stderr"
	done
	ping_both 5
	assert_equal "$stderr" 'ping: usage error: Destination address required'
	ping_both 5 -c abc 10.0.2.2
	assert_equal "$stderr" "ping: invalid argument: 'abc'"

	# iputils only warns about these (and floods or waits forever): SPEC makes them errors
	ping_run ours 5 -2 -i abc 10.0.2.2
	assert_output ''
	assert_equal "$stderr" 'ping: bad timing interval: abc'
	ping_run ours 5 -2 -W abc 10.0.2.2
	assert_equal "$stderr" 'ping: bad linger time: abc'
	ping_run ours 5 -2 -w 1x 10.0.2.2
	assert_equal "$stderr" "ping: invalid argument: '1x'"

	# an unknown option: the message, then the usage text, on stderr
	ping_both 5 -x 10.0.2.2
	assert_equal "$ref_status" 2
	assert_failure 2
	assert_output ''
	[[ ${stderr%%$'\n'*} == "ping: invalid option -- 'x'" ]]
	[[ $stderr == *'ping [options] <destination>'* ]]

	# the program name is argv[0], as iputils prints it
	run_t 5 -2 --separate-stderr lab_exec c "$ND_BUILD/ping/ping" -c abc 10.0.2.2
	assert_equal "$stderr" "$ND_BUILD/ping/ping: invalid argument: 'abc'"
}

@test "-h/--help: usage on stdout, exit 0; -V/--version: ping (netdiag) VERSION" {
	local o
	for o in -h --help; do
		ping_run ours 5 -0 "$o"
		assert_equal "$stderr" ''
		assert_line 'Usage'
		assert_line --regexp '^  ping \[options\] <destination>'
		assert_output --partial '-c <count>'
	done
	for o in -V --version; do
		ping_run ours 5 -0 "$o"
		assert_equal "$stderr" ''
		assert_output --regexp '^ping \(netdiag\) [0-9]+\.[0-9]+(\.[0-9]+)?'
	done
}

# ---------------------------------------------------------------- several destinations

@test "several destinations: concurrent, each with its own sequence and statistics; exit 0 only if all answered" {
	ping_run ours 10 -0 -c 2 -i 0.2 10.0.2.2 fd00:2::2 10.0.1.1
	assert_line 'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.'
	assert_line 'PING fd00:2::2(fd00:2::2) 56 data bytes'
	assert_line 'PING 10.0.1.1 (10.0.1.1) 56(84) bytes of data.'
	local d
	for d in 10.0.2.2 fd00:2::2 10.0.1.1; do
		assert_line --regexp "^64 bytes from ${d//./\\.}: icmp_seq=1 ttl=6[34] time=[0-9.]+ ms\$"
		assert_line --regexp "^64 bytes from ${d//./\\.}: icmp_seq=2 ttl=6[34] time=[0-9.]+ ms\$"
		[[ $(_stats_of "$d") =~ ^2\ packets\ transmitted,\ 2\ received,\ 0%\ packet\ loss,\ time\ [0-9]+ms$ ]]
	done
	assert_equal "$(grep -c ' ping statistics ---$' <<<"$output")" 3
	# concurrently, not one after the other: ~0.6 s, not 1.8 s
	local t0=${EPOCHREALTIME/,/.}
	ping_run ours 10 -0 -q -c 3 -i 0.3 10.0.2.2 fd00:2::2 10.0.1.1
	_in 0 1.2 "$(awk -v a="$t0" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { print b - a }')"

	ping_run ours 10 -1 -c 2 -i 0.2 -W 0.5 10.0.2.2 10.0.2.3
	[[ $(_stats_of 10.0.2.2) =~ ^2\ packets\ transmitted,\ 2\ received,\ 0%\ packet\ loss ]]
	[[ $(_stats_of 10.0.2.3) =~ ^2\ packets\ transmitted,\ 0\ received,\ 100%\ packet\ loss ]]
}

# ---------------------------------------------------------------- signals

@test "SIGQUIT: the status line on stderr, as iputils, and ping carries on" {
	local w t
	local -A pid=()
	for w in ref ours; do
		ping_spawn "$w.y" 15 "$w" -i 0.3 10.0.5.2
		ping_spawn "$w.s" 15 "$w" -i 0.2 10.0.2.3
	done
	for t in ref.y ours.y ref.s ours.s; do pid[$t]=$(ping_pid "$t"); done
	for t in ref.y ours.y; do lab_wait 5 grep -q 'icmp_seq=3 ' "$BATS_TEST_TMPDIR/run.$t.out"; done
	for t in ref.y ours.y ref.s ours.s; do kill -QUIT "${pid[$t]}"; done
	sleep 1
	for t in ref.y ours.y ref.s ours.s; do
		[[ -d /proc/${pid[$t]} ]] # still running
		kill -INT "${pid[$t]}"
	done
	local ref_err
	ping_reap ref.y
	ref_err=$stderr
	ping_reap ours.y
	assert_equal "$status" 0
	[[ $stderr =~ ^$'\r'?[0-9]+/[0-9]+\ packets,\ 0%\ loss,\ min/avg/ewma/max\ =\ [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}\ ms$ ]]
	assert_equal "$(ping_mask <<<"$stderr")" "$(ping_mask <<<"$ref_err")"
	refute_output --partial ' packets, '
	assert_line --regexp '^64 bytes from 10\.0\.5\.2: icmp_seq=5 ' # it went on after the signal
	assert_line --regexp '^[0-9]+ packets transmitted, [0-9]+ received, 0% packet loss'

	ping_reap ref.s
	ref_err=$stderr
	ping_reap ours.s
	assert_equal "$status" 1
	[[ $stderr =~ ^$'\r'?0/[0-9]+\ packets,\ 100%\ loss$ ]]
	assert_equal "$(ping_mask <<<"$stderr")" "$(ping_mask <<<"$ref_err")"
}

@test "SIGINT: footer printed; a probe still in flight is not counted as lost (iputils counts it)" {
	local w t a x
	local -A pid=() at=()
	# default interval 1 s, 200 ms round trip: each probe is in flight for 200 ms
	for w in ref ours; do ping_spawn "$w" 15 "$w" -D 10.0.5.2; done
	for w in ref ours; do
		pid[$w]=$(ping_pid "$w")
		lab_wait 5 grep -q 'icmp_seq=2 ' "$BATS_TEST_TMPDIR/run.$w.out"
		# reply 2 came 0.2 s after probe 2; probe 3 leaves 0.8 s after that reply
		t=$(sed -nE 's/^\[([0-9.]+)\] .*icmp_seq=2 .*/\1/p' "$BATS_TEST_TMPDIR/run.$w.out")
		at[$w]=$(awk -v t="$t" 'BEGIN { printf "%.6f", t + 0.9 }')
	done
	for w in $(for x in ref ours; do echo "${at[$x]} $x"; done | sort -n | cut -d' ' -f2); do
		a=$(awk -v a="${at[$w]}" -v n="${EPOCHREALTIME/,/.}" 'BEGIN { d = a - n; printf "%.3f", (d > 0 ? d : 0) }')
		sleep "$a"
		kill -INT "${pid[$w]}"
	done
	ping_reap ref
	assert_equal "$status" 0
	# the witness: iputils had probe 3 in flight and counts it as lost
	assert_line --regexp '^3 packets transmitted, 2 received, 33\.3333% packet loss'
	ping_reap ours
	assert_equal "$status" 0
	assert_line '--- 10.0.5.2 ping statistics ---'
	assert_line --regexp '^2 packets transmitted, 2 received, 0% packet loss, time [0-9]+ms$'
	assert_line --regexp "$RTT_RE\$"
}

# ---------------------------------------------------------------- impaired links

@test "loss: loss % is iputils' %g of the printed counts; one line per reply; statistics consistent" {
	local w T R L n
	for w in ref ours; do ping_spawn "$w" 15 "$w" -c 30 -i 0.05 -W 1 10.0.3.2; done
	for w in ref ours; do
		ping_reap "$w"
		assert_equal "$status" 0
		read -r T R L <<<"$(ping_footer "$output")"
		echo "$w: $T transmitted, $R received, $L% loss"
		assert_equal "$T" 30
		((R > 0 && R < 30))
		assert_equal "$L" "$(ping_loss "$T" "$R")"
		n=$(grep -cE '^64 bytes from 10\.0\.3\.2: icmp_seq=[0-9]+ ttl=64 time=[0-9.]+ ms$' <<<"$output")
		assert_equal "$n" "$R"
		refute_output --partial '(DUP!)'
		ping_check_stats "$output"
	done
}

@test "duplication: (DUP!) lines, +N duplicates, duplicates in the RTT statistics, as iputils" {
	local w T R L D n
	for w in ref ours; do ping_spawn "$w" 15 "$w" -c 10 -i 0.05 10.0.4.2; done
	for w in ref ours; do
		ping_reap "$w"
		assert_equal "$status" 0
		assert_line --regexp '^64 bytes from 10\.0\.4\.2: icmp_seq=[0-9]+ ttl=64 time=[0-9.]+ ms \(DUP!\)$'
		assert_line --regexp '^10 packets transmitted, 10 received, \+[0-9]+ duplicates, 0% packet loss, time [0-9]+ms$'
		D=$(sed -nE 's/.* received, \+([0-9]+) duplicates,.*/\1/p' <<<"$output")
		n=$(grep -c ' (DUP!)$' <<<"$output")
		echo "$w: +$D duplicates, $n (DUP!) lines"
		assert_equal "$n" "$D"
		# each sequence number answered once without (DUP!)
		n=$(grep -E '^64 bytes from .* ms$' <<<"$output" | sed -E 's/.*icmp_seq=([0-9]+) .*/\1/' | sort -n | uniq | wc -l)
		assert_equal "$n" 10
		ping_check_stats "$output"
	done

	# --json: dup true on every duplicate, counted apart
	ping_run ours 15 -0 --json -c 10 -i 0.05 10.0.4.2
	local s
	s=$(jq -s -c '[([.[] | select(.type == "reply" and .dup == false)] | length),
		([.[] | select(.type == "reply" and .dup == true)] | length),
		(.[] | select(.type == "summary") | .received, .duplicates)]' <<<"$output")
	echo "json: non-dup replies, dup replies, summary received, duplicates = $s"
	[[ $s =~ ^\[10,([0-9]+),10,([0-9]+)\]$ && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" && ${BASH_REMATCH[1]} -gt 0 ]]
}

# ---------------------------------------------------------------- extras: --json, -v, --pcap

@test "--json: one JSON object per line, type first, reply and summary keys per SPEC, numbers as the text footer" {
	ping_run ours 10 -0 --json -c 4 -i 0.2 10.0.2.2
	local l json=$output
	for l in "${lines[@]}"; do
		run -0 jq -e -r 'keys_unsorted[0]' <<<"$l"
		assert_output type
	done
	run -0 jq -s -r '[.[].type] | join(" ")' <<<"$json"
	assert_output --regexp '^(start )?reply reply reply reply summary$'
	# reply: {dst, from, seq, ttl, bytes, rtt_ms, dup}
	run -0 jq -s -e '[.[] | select(.type == "reply")] | all(
		(.dst == "10.0.2.2") and (.from == "10.0.2.2") and (.seq | type == "number") and
		(.ttl == 63) and (.bytes == 64) and (.rtt_ms | type == "number") and (.dup == false))' <<<"$json"
	run -0 jq -s -r '[.[] | select(.type == "reply") | .seq] | join(",")' <<<"$json"
	assert_output '1,2,3,4'
	# summary: every key of SPEC, numbers
	run -0 jq -s -e '.[-1] | .type == "summary" and .dst == "10.0.2.2" and
		([.transmitted, .received, .duplicates, .errors, .loss_pct, .time_ms, .rtt_min_ms, .rtt_avg_ms,
		  .rtt_max_ms, .rtt_mdev_ms, .rtt_p50_ms, .rtt_p90_ms, .rtt_p99_ms, .jitter_ms] | all(type == "number"))' <<<"$json"
	# the same numbers as the text footer of the same run
	ping_run ours 10 -0 -c 4 -i 0.2 10.0.2.2
	local T R L t
	read -r T R L <<<"$(ping_footer "$output")"
	t=$(_footer_time "$output")
	run -0 jq -s -r '.[-1] | "\(.transmitted) \(.received) \(.loss_pct) \(.duplicates) \(.errors)"' <<<"$json"
	assert_output "$T $R $L 0 0"
	run -0 jq -s -r '.[-1].time_ms' <<<"$json"
	_in "$((t - 50))" "$((t + 50))" "$output"
	# min/avg/max/mdev from the replies' rtt_ms as iputils computes them; percentiles in range
	run -0 jq -s -e '([.[] | select(.type == "reply") | .rtt_ms]) as $r | .[-1] as $s |
		($r | add / length) as $avg |
		(($r | map(. - $avg | . * .) | add / length) | sqrt) as $mdev |
		($s.rtt_min_ms - ($r | min) | fabs) <= 0.001 and ($s.rtt_max_ms - ($r | max) | fabs) <= 0.001 and
		($s.rtt_avg_ms - $avg | fabs) <= 0.002 and ($s.rtt_mdev_ms - $mdev | fabs) <= 0.002 and
		($s.rtt_min_ms <= $s.rtt_p50_ms and $s.rtt_p50_ms <= $s.rtt_p90_ms and
		 $s.rtt_p90_ms <= $s.rtt_p99_ms and $s.rtt_p99_ms <= $s.rtt_max_ms) and $s.jitter_ms >= 0' <<<"$json"

	# ICMP errors: icmp_error {dst, from, seq, icmp_type, icmp_code, message}; counts as the text run
	ping_run ours 10 -1 --json -c 2 -i 0.2 -t 1 10.0.2.2
	json=$output
	run -0 jq -s -e '[.[] | select(.type == "icmp_error")] | length == 2 and all(
		.dst == "10.0.2.2" and .from == "10.0.1.1" and (.seq | type == "number") and
		.icmp_type == 11 and .icmp_code == 0 and .message == "Time to live exceeded")' <<<"$json"
	ping_run ours 10 -1 -c 2 -i 0.2 -t 1 10.0.2.2
	read -r T R L <<<"$(ping_footer "$output")"
	run -0 jq -s -r '.[-1] | "\(.transmitted) \(.received) \(.errors) \(.loss_pct) \(.rtt_avg_ms)"' <<<"$json"
	assert_output "$T $R 2 $L null"
	assert_equal "$T $R $L" '2 0 100'

	# frag needed carries the MTU
	ping_flush_pmtu
	ping_run ours 10 -1 --json -c 1 -M do -s 1400 10.0.2.2
	run -0 jq -s -e '[.[] | select(.type == "icmp_error")][0] | .icmp_type == 3 and .icmp_code == 4 and .mtu == 1300' <<<"$output"
}

@test "-v: every packet decoded (IPv4, ICMP type 8 (Echo Request), seq); -t 1 shows the quoted packet" {
	ping_run ours 10 -0 -v -c 1 10.0.2.2
	assert_line --regexp '^\[ *[0-9]+\.[0-9]{3} ms\] sent 84 bytes$'
	assert_line --regexp '^\[ *[0-9]+\.[0-9]{3} ms\] recv 84 bytes$'
	assert_line --regexp '^  IPv4 +version 4, ihl 5 \(20 bytes\)'
	assert_line --regexp 'src 10\.0\.1\.2, dst 10\.0\.2\.2$'
	assert_line --regexp '^  ICMP +type 8 \(Echo Request\) code 0'
	assert_line --regexp '^  ICMP +type 0 \(Echo Reply\) code 0'
	assert_line --regexp 'id 0x[0-9a-f]{4} \([0-9]+\), seq 1, payload 56 bytes$'
	assert_line --regexp '^64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=63 time=[0-9.]+ ms$'
	assert_line --regexp '^1 packets transmitted, 1 received, 0% packet loss'

	ping_run ours 10 -1 -v -c 1 -t 1 10.0.2.2
	assert_line 'From 10.0.1.1 icmp_seq=1 Time to live exceeded'
	assert_line --regexp '^  ICMP +type 11 \(Time Exceeded\) code 0'
	assert_line --regexp 'quoted packet'
	# below the quote, indented deeper: our echo request, seq 1
	run -0 awk '/quoted packet/ { q = 1 } q && /^      +ICMP +type 8 \(Echo Request\)/ { e = 1 } e && /seq 1,/ { print "found"; exit }' <<<"$output"
	assert_output found

	ping_run ours 10 -0 -v -c 1 fd00:2::2
	assert_line --regexp '^  IPv6 +version 6'
	assert_line --regexp '^  ICMPv6 +type 128 \(Echo Request\) code 0'
	assert_line --regexp '^  ICMPv6 +type 129 \(Echo Reply\) code 0'
}

@test "-vv: adds a hex dump of each packet" {
	ping_run ours 10 -0 -vv -c 1 10.0.2.2
	assert_line --regexp '^  ICMP +type 8 \(Echo Request\) code 0'
	# the IPv4 header of an 84-byte packet: 45 00 00 54
	assert_line --regexp '^ +0000  45 00 00 54( [0-9a-f]{2}){4}  ([0-9a-f]{2} ){7}[0-9a-f]{2}  .{16}$'
	assert_line --regexp '^ +0050  ([0-9a-f]{2} ){3}[0-9a-f]{2} +.{4}$'
	run -0 grep -cE '^ +0000  45 ' <<<"$output"
	assert_output 2 # what we sent and what came back
}

@test "--pcap FILE: tcpdump -r reads back the echo requests and replies, and the time exceeded" {
	local f=$BATS_TEST_TMPDIR/p.pcap
	ping_run ours 10 -0 --pcap "$f" -c 2 -i 0.2 10.0.2.2
	run_t 5 -0 --separate-stderr tcpdump -nn -r "$f"
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 --regexp '^[0-9:.]+ IP 10\.0\.1\.2 > 10\.0\.2\.2: ICMP echo request, id [0-9]+, seq 1, length 64$'
	assert_line --index 1 --regexp '^[0-9:.]+ IP 10\.0\.2\.2 > 10\.0\.1\.2: ICMP echo reply, id [0-9]+, seq 1, length 64$'
	assert_line --index 2 --regexp 'ICMP echo request, id [0-9]+, seq 2, length 64$'
	assert_line --index 3 --regexp 'ICMP echo reply, id [0-9]+, seq 2, length 64$'
	[[ $stderr == *'link-type RAW'* ]]

	ping_run ours 10 -1 --pcap "$f" -c 1 -t 1 10.0.2.2
	run_t 5 -0 --separate-stderr tcpdump -nn -r "$f"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp 'IP 10\.0\.1\.2 > 10\.0\.2\.2: ICMP echo request, id [0-9]+, seq 1, length 64$'
	assert_line --index 1 --regexp 'IP 10\.0\.1\.1 > 10\.0\.1\.2: ICMP time exceeded in-transit, length 92$'

	ping_run ours 10 -0 --pcap "$f" -c 1 fd00:2::2
	run_t 5 -0 --separate-stderr tcpdump -nn -r "$f"
	assert_line --index 0 --regexp 'IP6 fd00:1::2 > fd00:2::2: ICMP6, echo request, id [0-9]+, seq 1, length 64$'
	assert_line --index 1 --regexp 'IP6 fd00:2::2 > fd00:1::2: ICMP6, echo reply, id [0-9]+, seq 1, length 64$'
}

@test "--pcap FILE: request, time exceeded and the quoted request match by ICMP id and seq" {
	local f=$BATS_TEST_TMPDIR/p.pcap
	ping_run ours 10 -1 --pcap "$f" -c 1 -t 1 10.0.2.2
	run_t 5 -0 --separate-stderr tcpdump -nn -v -r "$f"
	# The IPv4 id of a probe is the kernel's choice (ping.8 says it is
	# written as 0); the ICMP id and seq are ping's own and must agree.
	local sent quoted
	sent=$(grep -oE 'ICMP echo request, id [0-9]+, seq 1' <<<"$output" | head -n 1)
	quoted=$(grep -oE 'ICMP echo request, id [0-9]+, seq 1' <<<"$output" | sed -n 2p)
	assert_output --partial 'ICMP time exceeded in-transit'
	[ -n "$sent" ]
	assert_equal "$sent" "$quoted"
}
