#!/usr/bin/env bats
# tests/11-ping-priv.bats - ping without root: a copy with cap_net_raw+p run by
# an unprivileged user (raw socket, no capability left once it runs), a copy
# without any capability (refused, or ICMP datagram "ping" sockets where
# net.ipv4.ping_group_range lets the user's group in), and the limits iputils
# puts on users (-i below 2 ms, -f, -l above 3). iputils' /usr/bin/ping
# (cap_net_raw=ep) runs next to ours as the same user for the messages.
#
# Topology (tests/lib/ping.bash): c - r - s, plus a second client o on r with
# ping_group_range open to the test user's group (c keeps the default "1 0").
#   o  to-r 10.0.6.2/24 fd00:6::2/64   r  to-o 10.0.6.1/24 fd00:6::1/64
# Needs root. Our binary is $ND_BUILD/ping/ping.

bats_require_minimum_version 1.5.0
load lib/lab
load lib/ping

export ND_BUILD=${ND_BUILD:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}

setup_file() {
	if [[ $EUID -ne 0 ]]; then
		echo "11-ping-priv.bats needs root (network namespaces, setcap)" >&2
		return 1
	fi
	if [[ ! -x $ND_BUILD/ping/ping ]]; then
		echo "no $ND_BUILD/ping/ping: build it first" >&2
		return 1
	fi
	lab_init
	lab_user
	ping_topology
	lab_ns o >/dev/null
	lab_link o r 10.0.6.2/24 10.0.6.1/24 fd00:6::2/64 fd00:6::1/64
	lab_route o default via 10.0.6.1
	lab_route o default via fd00:6::1
	lab_sysctl o "net.ipv4.ping_group_range=$LAB_USER_GID $LAB_USER_GID"
	lab_wait 5 lab_exec o "$PING_REF" -c 1 -W 1 10.0.2.2
	lab_wait 5 lab_exec o "$PING_REF" -c 1 -W 1 fd00:2::2
	# each tool as "ping" on PATH, in a directory the test user can reach
	local b=$LAB_DIR/bin
	lab_capbin "$ND_BUILD/ping/ping" cap_net_raw+p ping-cap >/dev/null
	lab_capbin "$ND_BUILD/ping/ping" "" ping-plain >/dev/null
	mkdir -p "$b/cap" "$b/plain" "$b/ref"
	ln -s ../ping-cap "$b/cap/ping"
	ln -s ../ping-plain "$b/plain/ping"
	ln -s "$PING_REF" "$b/ref/ping"
	chmod 755 "$b/cap" "$b/plain" "$b/ref"
	export PING_USER_BIN=$b
}

teardown_file() {
	lab_cleanup
}

teardown() {
	ping_teardown
}

# _as NS WHICH SECS [-N] ARGS...: "ping ARGS" as the test user in NS, WHICH is
# cap (our copy with cap_net_raw+p), plain (ours, no capability) or ref (iputils)
_as() {
	local ns=$1 which=$2 secs=$3
	shift 3
	local -a flags=(--separate-stderr)
	while [[ ${1:-} == -[012] || ${1:-} == '!' ]]; do flags+=("$1"); shift; done
	run_t "$secs" "${flags[@]}" lab_as "$ns" env PATH="$PING_USER_BIN/$which:/usr/bin:/bin" ping "$@"
}

# _as_both NS WHICH SECS ARGS...: iputils, then ours (WHICH), as the user; iputils'
# results in ref_output ref_stderr ref_status
_as_both() {
	local ns=$1 which=$2 secs=$3
	shift 3
	_as "$ns" ref "$secs" "$@"
	ref_output=$output ref_stderr=$stderr ref_status=$status
	_as "$ns" "$which" "$secs" "$@"
}

_same_shape() {
	assert_equal "$(ping_mask <<<"$output")" "$(ping_mask <<<"$ref_output")"
}

@test "an unprivileged user runs a copy with cap_net_raw+p: raw socket, replies as iputils (v4, v6)" {
	run_t 5 -0 getcap "$PING_USER_BIN/ping-cap"
	assert_output --partial 'cap_net_raw=p'
	run_t 5 -0 lab_as c id -u
	assert_output "$LAB_USER_UID"

	_as_both c cap 10 -c 2 -i 0.2 10.0.2.2
	assert_equal "$ref_status" 0
	assert_success
	_same_shape
	assert_line --regexp '^64 bytes from 10\.0\.2\.2: icmp_seq=2 ttl=63 time=[0-9.]+ ms$'
	assert_line --regexp '^2 packets transmitted, 2 received, 0% packet loss'

	_as_both c cap 10 -c 2 -i 0.2 fd00:2::2
	assert_success
	_same_shape

	# no ping sockets for this user in c: it is the raw socket
	_as c cap 10 -0 --json -c 1 10.0.2.2
	run -0 jq -r 'select(.type == "start") | .socket' <<<"$output"
	assert_output raw
}

@test "while it runs as the user, ping holds no capability: CapEff 0, CapPrm 0, NoNewPrivs 1 (as root too)" {
	ping_spawn_ns user 10 c setpriv --reuid="$LAB_USER_UID" --regid="$LAB_USER_GID" --clear-groups --reset-env \
		"$PING_USER_BIN/ping-cap" -c 3 -i 0.5 10.0.2.2
	ping_spawn_ns root 10 c "$ND_BUILD/ping/ping" -c 3 -i 0.5 10.0.2.2
	local t p st
	for t in user root; do
		p=$(ping_pid "$t")
		# past setup: the header is out and the first reply is in
		lab_wait 5 grep -q 'icmp_seq=1 ' "$BATS_TEST_TMPDIR/run.$t.out"
		st=$(cat "/proc/$p/status")
		echo "[$t: pid $p, $(readlink "/proc/$p/exe")]"
		grep -E '^(Uid|Cap|NoNewPrivs)' <<<"$st"
		[[ $st == *$'\nCapEff:\t0000000000000000\n'* ]]
		[[ $st == *$'\nCapPrm:\t0000000000000000\n'* ]]
		[[ $st == *$'\nCapInh:\t0000000000000000\n'* ]]
		[[ $st == *$'\nCapAmb:\t0000000000000000'* ]]
		[[ $st == *$'\nNoNewPrivs:\t1\n'* ]]
		if [[ $t == user ]]; then
			assert_equal "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' <<<"$st")" \
				"$LAB_USER_UID $LAB_USER_UID $LAB_USER_UID $LAB_USER_UID"
			assert_equal "$(readlink "/proc/$p/exe")" "$PING_USER_BIN/ping-cap"
		fi
	done
	for t in user root; do
		ping_reap "$t"
		assert_equal "$status" 0
		assert_line --regexp '^3 packets transmitted, 3 received, 0% packet loss'
	done
}

@test "no capability and ping_group_range closed: exit 2 and a clear socket: message" {
	run_t 5 -0 lab_exec c sysctl -n net.ipv4.ping_group_range
	assert_output $'1\t0'
	_as c plain 5 -2 -c 1 10.0.2.2
	assert_output ''
	assert_equal "$stderr" 'ping: socket: Operation not permitted (need CAP_NET_RAW or net.ipv4.ping_group_range)'
	_as c plain 5 -2 -c 1 fd00:2::2
	assert_output ''
	[[ $stderr =~ ^ping:\ socket:\ [A-Z][a-z].*\(need\ CAP_NET_RAW\ or\ net\.ipv4\.ping_group_range\)$ ]]
}

@test "ping_group_range open: a copy without capability works through ping sockets, errors through the error queue" {
	run_t 5 -0 lab_exec o sysctl -n net.ipv4.ping_group_range
	assert_output "$LAB_USER_GID"$'\t'"$LAB_USER_GID"
	run_t 5 -0 getcap "$PING_USER_BIN/ping-plain"
	assert_output ''

	_as o plain 10 -0 --json -c 1 10.0.2.2
	run -0 jq -r 'select(.type == "start") | .socket' <<<"$output"
	assert_output ping

	_as_both o plain 10 -c 2 -i 0.2 10.0.2.2
	assert_equal "$ref_status" 0
	assert_success
	_same_shape
	assert_line --regexp '^64 bytes from 10\.0\.2\.2: icmp_seq=2 ttl=63 time=[0-9.]+ ms$'

	_as_both o plain 10 -c 2 -i 0.2 fd00:2::2
	assert_success
	_same_shape
	assert_line --regexp '^64 bytes from fd00:2::2: icmp_seq=2 ttl=63 time=[0-9.]+ ms$'

	_as_both o plain 10 -c 2 -i 0.2 -t 1 10.0.2.2
	assert_equal "$ref_status" 1
	assert_failure 1
	_same_shape
	assert_line 'From 10.0.6.1 icmp_seq=1 Time to live exceeded'
	assert_line --regexp '^2 packets transmitted, 0 received, \+2 errors, 100% packet loss'

	_as_both o plain 10 -c 2 -i 0.2 -t 1 fd00:2::2
	assert_failure 1
	_same_shape
	assert_line 'From fd00:6::1 icmp_seq=2 Time exceeded: Hop limit'
}

@test "limits for users, as iputils: -i below 2 ms, -f, -l above 3 refused (exit 2); -i 0.002 and -l 3 allowed" {
	local a
	for a in '-i 0.001' '-f' '-l 4'; do
		# shellcheck disable=SC2086
		_as_both c cap 5 -c 1 $a 10.0.2.2
		assert_equal "$ref_status" 2
		assert_failure 2
		assert_equal "$stderr" "$ref_stderr"
	done
	assert_equal "$stderr" 'ping: cannot set preload to value greater than 3: 4'
	_as c cap 5 -2 -c 1 -i 0.001 10.0.2.2
	assert_equal "$stderr" 'ping: cannot flood; minimal interval allowed for user is 2ms'

	_as_both c cap 5 -c 3 -i 0.002 10.0.2.2
	assert_equal "$ref_status" 0
	assert_success
	assert_line --regexp '^3 packets transmitted, 3 received, 0% packet loss'
	_as_both c cap 5 -c 3 -l 3 -i 0.2 10.0.2.2
	assert_success
	assert_line --regexp '^3 packets transmitted, 3 received, 0% packet loss'
}
