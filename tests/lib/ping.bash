# shellcheck shell=bash
# tests/lib/ping.bash - helpers for the ping tests (10-ping.bats, 11-ping-priv.bats)
#
# Load after lib/lab. Our ping is $ND_BUILD/ping/ping (ND_BUILD is the build
# tree: the repository root, or build/asan under `make asan`); iputils' is
# /usr/bin/ping. Both run in the same namespace, on the same topology, and
# both are started through a symlink named "ping" found on PATH, so that their
# messages start with "ping: " as a user sees them.
#
#   ping_topology [full]   build the lab (after lab_init):
#
#     c (client)   to-r  10.0.1.2/24  fd00:1::2/64   default via r; /etc/hosts:
#                        srv.lab srv -> 10.0.2.2, srv6.lab srv6 -> fd00:2::2,
#                        rtr.lab -> 10.0.1.1; nsswitch "hosts: files" (no DNS)
#     r (router)   to-c  10.0.1.1/24  fd00:1::1/64   forwarding, no default route
#                  to-s  10.0.2.1/24  fd00:2::1/64   MTU 1300
#     s (server)   to-r  10.0.2.2/24  fd00:2::2/64   MTU 1300, default via r
#                        10.0.2.3     fd00:2::3      echo requests dropped (nft)
#     nobody holds 10.0.1.99 / fd00:1::99 on c's link -> host / address unreachable
#     r has no route to 10.0.9.0/24 / fd00:9::/64     -> net unreachable / no route
#
#   "full" adds three vde2 links from c (static neighbours, so no ARP is lost):
#     c 10.0.3.1 - l 10.0.3.2   10 ms delay, 30% loss each way
#     c 10.0.4.1 - d 10.0.4.2   10 ms delay, 50% duplication each way
#     c 10.0.5.1 - y 10.0.5.2   100 ms delay each way (rtt ~200 ms)
#
#   ping_bins DIR          make DIR/ref/ping and DIR/ours/ping (symlinks); sets PING_BINS
#   ping_run WHICH SECS [-0|-1|-2|!] ARGS...
#                          run_t --separate-stderr: ping ARGS in namespace c, WHICH
#                          is ref (iputils) or ours; -0/-1/-2/! check the status
#   ping_both SECS ARGS... iputils, then ours, same ARGS; ours in $output $stderr
#                          $status $lines, iputils' in $ref_output $ref_stderr
#                          $ref_status $ref_lines. $PING_BEFORE, if set, is a
#                          command run before each of the two (e.g. ping_flush_pmtu)
#   ping_spawn TAG SECS WHICH|- ARGS...
#                          start ping (or, with -, the command ARGS as is) in
#                          namespace c in the background under timeout; stdout
#                          and stderr to files; PING_TPID[TAG] = timeout's pid
#   ping_spawn_ns TAG SECS NS CMD...   the same for any command in namespace NS
#   ping_pid TAG           pid of the program itself (for signals; timeout -k
#                          would turn a forwarded SIGQUIT into a SIGKILL)
#   ping_reap TAG          wait for it; $output $stderr $status $lines as run sets them
#   ping_elapsed TAG       seconds from the start to the last write to its stdout
#                          (the footer), whatever order the runs are reaped in
#   ping_teardown          for teardown(): stop what ping_spawn started and is still
#                          running (a test that failed half-way), then lab_teardown
#   ping_flush_pmtu        forget the path MTUs namespace c has learnt
#   ping_mask              stdin -> stdout, every number replaced by N
#   ping_footer TEXT       "T R LOSS" from the "N packets transmitted" line of TEXT
#   ping_loss T R          loss as iputils prints it: %g of (T - R) * 100 / T
#   ping_check_stats TEXT  recompute min/avg/max/mdev (population mdev, as iputils,
#                          duplicates included) from the time= values printed in
#                          TEXT and compare them with its rtt line, within the
#                          rounding of the printed values; prints the comparison

PING_REF=/usr/bin/ping
declare -gA PING_TPID=() PING_T0=()

ping_bins() {
	PING_BINS=$1
	mkdir -p "$PING_BINS/ref" "$PING_BINS/ours"
	ln -sfn "$PING_REF" "$PING_BINS/ref/ping"
	ln -sfn "$ND_BUILD/ping/ping" "$PING_BINS/ours/ping"
	export PING_BINS
}

# _ping_path WHICH: PATH for running "ping" as WHICH (ref|ours)
_ping_path() {
	case $1 in
	ref | ours) echo "$PING_BINS/$1:/usr/sbin:/usr/bin:/sbin:/bin" ;;
	*) echo "ping.bash: WHICH is ref or ours, not '$1'" >&2; return 1 ;;
	esac
}

ping_topology() {
	lab_ns c >/dev/null
	lab_ns r >/dev/null
	lab_ns s >/dev/null
	lab_link c r 10.0.1.2/24 10.0.1.1/24 fd00:1::2/64 fd00:1::1/64
	lab_link r s mtu=1300 10.0.2.1/24 10.0.2.2/24 fd00:2::1/64 fd00:2::2/64
	lab_router r
	lab_route c default via 10.0.1.1
	lab_route c default via fd00:1::1
	lab_route s default via 10.0.2.1
	lab_route s default via fd00:2::1
	lab_addr s to-r 10.0.2.3/24 fd00:2::3/64
	lab_nft s 'table inet lab {
	chain input {
		type filter hook input priority 0; policy accept;
		ip daddr 10.0.2.3 icmp type echo-request drop
		ip6 daddr fd00:2::3 icmpv6 type echo-request drop
	}
}'
	lab_hosts c '10.0.2.2 srv.lab srv' 'fd00:2::2 srv6.lab srv6' '10.0.1.1 rtr.lab'
	# names come from /etc/hosts only: an unknown name fails at once with
	# "Name or service not known", as on a machine without DNS
	sed -i 's/^hosts:.*/hosts: files/' "/etc/netns/$(lab_nsname c)/nsswitch.conf"
	if [[ ${1:-} == full ]]; then
		lab_ns l >/dev/null
		lab_ns d >/dev/null
		lab_ns y >/dev/null
		lab_impair_link c l 10 30 0 neigh=static 10.0.3.1/24 10.0.3.2/24
		lab_impair_link c d 10 0 50 neigh=static 10.0.4.1/24 10.0.4.2/24
		lab_impair_link c y 100 0 0 neigh=static 10.0.5.1/24 10.0.5.2/24
	fi
	# every neighbour known before the first test (v4 and v6, both hops)
	local a
	for a in 10.0.1.1 10.0.2.2 fd00:1::1 fd00:2::2; do
		lab_wait 5 lab_exec c "$PING_REF" -c 1 -W 1 "$a" || return 1
	done
	return 0
}

ping_run() {
	local which=$1 secs=$2 p
	shift 2
	p=$(_ping_path "$which") || return 1
	local -a flags=(--separate-stderr)
	# -0 -1 -2 and ! are run_t's status checks (-4 and -6 are ping's)
	while [[ ${1:-} == -[012] || ${1:-} == '!' ]]; do flags+=("$1"); shift; done
	run_t "$secs" "${flags[@]}" lab_exec c env PATH="$p" ping "$@"
}

ping_both() {
	local secs=$1
	shift
	if [[ -n ${PING_BEFORE:-} ]]; then $PING_BEFORE; fi
	ping_run ref "$secs" "$@"
	# shellcheck disable=SC2034 # for the caller
	ref_output=$output ref_stderr=$stderr ref_status=$status
	# shellcheck disable=SC2034
	ref_lines=("${lines[@]}")
	if [[ -n ${PING_BEFORE:-} ]]; then $PING_BEFORE; fi
	ping_run ours "$secs" "$@"
}

ping_spawn_ns() {
	local tag=$1 secs=$2 ns=$3
	shift 3
	local base=$BATS_TEST_TMPDIR/run.$tag
	: >"$base.out"
	: >"$base.err"
	# shellcheck disable=SC2016 # expanded by that sh
	lab_bg "$ns" timeout -k 1 "$secs" sh -c 'o=$1 e=$2; shift 2; exec "$@" >"$o" 2>"$e"' \
		sh "$base.out" "$base.err" "$@"
	PING_TPID[$tag]=$LAB_PID
	PING_T0[$tag]=${EPOCHREALTIME/,/.}
	echo "$tag: started (timeout pid $LAB_PID): $*"
}

ping_spawn() {
	local tag=$1 secs=$2 which=$3 p
	shift 3
	if [[ $which == - ]]; then
		ping_spawn_ns "$tag" "$secs" c "$@"
	else
		p=$(_ping_path "$which") || return 1
		ping_spawn_ns "$tag" "$secs" c env PATH="$p" ping "$@"
	fi
}

ping_pid() {
	local t=${PING_TPID[$1]:-} c i exe
	if [[ -z $t ]]; then echo "ping_pid: no run '$1'" >&2; return 1; fi
	for ((i = 0; i < 250; i++)); do
		c=$(cat "/proc/$t/task/$t/children" 2>/dev/null) || c=
		c=${c%% *}
		if [[ -n $c ]]; then
			exe=$(readlink "/proc/$c/exe" 2>/dev/null) || exe=
			# past sh, env and setpriv: the program itself
			case ${exe##*/} in
			'' | sh | dash | bash | env | setpriv) ;;
			*) echo "$c"; return 0 ;;
			esac
		fi
		sleep 0.02
	done
	echo "ping_pid: $1 did not start" >&2
	return 1
}

ping_reap() {
	local tag=$1 t=${PING_TPID[$1]:-} base=$BATS_TEST_TMPDIR/run.$1 l
	if [[ -z $t ]]; then echo "ping_reap: no run '$tag'" >&2; return 1; fi
	status=0
	wait "$t" || status=$?
	output=$(<"$base.out")
	stderr=$(<"$base.err")
	lines=()
	while IFS= read -r l; do
		if [[ -n $l ]]; then lines+=("$l"); fi
	done <"$base.out"
	echo "\$ [$tag]"
	if [[ -n $output ]]; then printf '%s\n' "$output"; fi
	if [[ -n $stderr ]]; then printf '[stderr]\n%s\n' "$stderr"; fi
	echo "[exit $status]"
	if ((status == 124 || status == 137)); then echo "[TIMED OUT]"; fi
	return 0
}

ping_elapsed() {
	local m
	m=$(stat -c %.6Y "$BATS_TEST_TMPDIR/run.$1.out") || return 1
	awk -v a="${PING_T0[$1]}" -v b="$m" 'BEGIN { printf "%.3f\n", b - a }'
}

ping_teardown() {
	local tag t
	for tag in "${!PING_TPID[@]}"; do
		t=${PING_TPID[$tag]}
		if [[ -d /proc/$t ]] && grep -q "^$t " "$LAB_DIR/pids" 2>/dev/null; then lab_kill "$t" || true; fi
	done
	lab_teardown
}

ping_flush_pmtu() {
	lab_exec c ip route flush cache
	lab_exec c ip -6 route flush cache
}

ping_mask() {
	sed -E 's/[0-9]+(\.[0-9]+)?/N/g'
}

ping_footer() {
	sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received,.* ([0-9.]+)% packet loss.*/\1 \2 \3/p' <<<"$1"
}

ping_loss() {
	awk -v t="$1" -v r="$2" 'BEGIN { printf "%g\n", (t - r) * 100.0 / t }'
}

ping_check_stats() {
	awk '
	/ bytes from .* time=/ {
		t = $0; sub(/.* time=/, "", t); sub(/ ms.*/, "", t)
		v[n++] = t + 0
	}
	/^rtt min\/avg\/max\/mdev = / {
		s = $0; sub(/^rtt min\/avg\/max\/mdev = /, "", s); sub(/ ms.*/, "", s)
		split(s, f, "/"); got = 1
	}
	END {
		if (!got) { print "no rtt line"; exit 1 }
		if (n == 0) { print "no time= values"; exit 1 }
		min = v[0]; max = v[0]; sum = 0; tol = 0.001
		for (i = 0; i < n; i++) {
			if (v[i] < min) min = v[i]
			if (v[i] > max) max = v[i]
			sum += v[i]
			# iputils prints 3 significant digits above 1 ms: half a step of error
			s = v[i] >= 100 ? 0.5 : v[i] >= 10 ? 0.05 : v[i] >= 1 ? 0.005 : 0.001
			if (s > tol) tol = s
		}
		avg = sum / n; var = 0
		for (i = 0; i < n; i++) var += (v[i] - avg) ^ 2
		mdev = sqrt(var / n)
		tol += 0.001   # the footer truncates to microseconds
		printf "%d times printed: min %.3f avg %.3f max %.3f mdev %.3f (tolerance %.3f); footer %s/%s/%s/%s\n", \
			n, min, avg, max, mdev, tol, f[1], f[2], f[3], f[4]
		bad = 0
		if (f[1] - min > tol || min - f[1] > tol) { print "min differs"; bad = 1 }
		if (f[3] - max > tol || max - f[3] > tol) { print "max differs"; bad = 1 }
		if (f[2] - avg > tol || avg - f[2] > tol) { print "avg differs"; bad = 1 }
		if (f[4] - mdev > tol || mdev - f[4] > tol) { print "mdev differs"; bad = 1 }
		if (f[1] > f[2] || f[2] > f[3]) { print "not min <= avg <= max"; bad = 1 }
		exit bad
	}' <<<"$1"
}
