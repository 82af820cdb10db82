#!/bin/bash
# bench/arping.sh - `arping --scan` against arp-scan, side by side in one run.
#
# A bridged LAN made here with tests/lib/lab.bash (unique prefix, no route
# outside, removed on every exit path): the scanner at 10.88.0.1/24 and four
# hosts holding 20 addresses between them (10.88.0.2..21, spread over the
# hosts); the other 233 addresses of the /24 are silent.  Both tools sweep
# the /24 with their defaults, interleaved (the order alternates every
# round), ROUNDS runs each.  Wall time is taken outside the tool on the
# monotonic clock (bench/lib.sh); hosts found are compared as (IP, MAC) sets.
#
# Output: a table and a "ratios:" block (ours/arp-scan) with the goals: wall
# time <= 1, hosts found = arp-scan's.  Exit 0 when every measurement was
# taken (goals met or not), 1 when a run failed, 2 when it could not start.
#
# Settings (environment): BENCH_ARPING_OURS (arping/arping), BENCH_ARPSCAN
# (/usr/sbin/arp-scan), BENCH_ROUNDS (3).
set -eu -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

OURS=${BENCH_ARPING_OURS:-$ROOT/arping/arping}
ARPSCAN=${BENCH_ARPSCAN:-/usr/sbin/arp-scan}
ROUNDS=${BENCH_ROUNDS:-3}

die() { echo "bench/arping.sh: $*" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer, got '$ROUNDS'"
((EUID == 0)) || die "needs root (it builds network namespaces)"
[[ -x $OURS ]] || die "no $OURS: build it first (make -C $ROOT arping/arping)"
[[ -x $ARPSCAN ]] || die "no arp-scan at $ARPSCAN (Debian package arp-scan)"
bench_need ip /usr/bin/time awk sort || die "missing tools (make deps installs them)"

# shellcheck source=tests/lib/lab.bash
source "$ROOT/tests/lib/lab.bash"
lab_init || die "lab_init failed"
D=$LAB_DIR/bench
mkdir -p "$D"

for n in scanner h1 h2 h3 h4; do lab_ns "$n" >/dev/null || die "lab: namespace"; done
lab_bridge lan scanner=10.88.0.1/24 h1=10.88.0.2/24 h2=10.88.0.3/24 h3=10.88.0.4/24 h4=10.88.0.5/24 ||
	die "lab: bridge"
for i in $(seq 6 21); do lab_addr "h$(((i % 4) + 1))" lan "10.88.0.$i/24" || die "lab: address"; done
NS=$(lab_nsname scanner)

echo "arping --scan benchmark: ours = $OURS ($("$OURS" -V 2>&1 | head -n 1))"
echo "                         arp-scan = $ARPSCAN ($("$ARPSCAN" -V 2>&1 | head -n 1))"
echo "LAN: 10.88.0.0/24, 20 live addresses on 4 hosts, the rest silent; $ROUNDS rounds"

fail=0
: >"$D/ours.walls"; : >"$D/theirs.walls"; : >"$D/ours.rss"; : >"$D/theirs.rss"
run_ours() {
	bench_measure -n "$NS" "$D/o$1" "$OURS" -q --json --scan 10.88.0.0/24 || fail=1
	cat "$D/o$1.wall" >>"$D/ours.walls"; cat "$D/o$1.rss" >>"$D/ours.rss"
	jq -r 'select(.type == "host") | "\(.ip) \(.mac | ascii_upcase)"' "$D/o$1.out" | sort -u >"$D/o$1.hosts"
}
run_theirs() {
	bench_measure -n "$NS" "$D/t$1" "$ARPSCAN" -I lan -q -x 10.88.0.0/24 || fail=1
	cat "$D/t$1.wall" >>"$D/theirs.walls"; cat "$D/t$1.rss" >>"$D/theirs.rss"
	awk '{ print $1, toupper($2) }' "$D/t$1.out" | sort -u >"$D/t$1.hosts"
}
same=1
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then run_ours "$r"; run_theirs "$r"; else run_theirs "$r"; run_ours "$r"; fi
	no=$(wc -l <"$D/o$r.hosts"); nt=$(wc -l <"$D/t$r.hosts")
	cmp -s "$D/o$r.hosts" "$D/t$r.hosts" || same=0
	printf 'round %d: ours %.3f s, %d hosts; arp-scan %.3f s, %d hosts\n' "$r" \
		"$(cat "$D/o$r.wall")" "$no" "$(cat "$D/t$r.wall")" "$nt"
done

wo=$(bench_median <"$D/ours.walls"); wt=$(bench_median <"$D/theirs.walls")
ro=$(bench_max <"$D/ours.rss"); rt=$(bench_max <"$D/theirs.rss")
ho=$(wc -l <"$D/o1.hosts"); ht=$(wc -l <"$D/t1.hosts")
echo
bench_table 22 12 12 -- "" "ours" "arp-scan"
bench_table 22 12 12 -- "median wall (s)" "$(bench_fmt "$wo" 3)" "$(bench_fmt "$wt" 3)"
bench_table 22 12 12 -- "hosts found" "$ho" "$ht"
bench_table 22 12 12 -- "peak RSS (KB)" "$(bench_fmt "$ro")" "$(bench_fmt "$rt")"
echo
echo "ratios (ours/arp-scan):"
rw=$(bench_ratio "$wo" "$wt")
echo "  wall time   $rw  (goal <= 1: $(bench_goal "$rw" le 1))"
echo "  peak RSS    $(bench_ratio "$ro" "$rt")"
echo "  same hosts  $( ((same)) && echo "yes, every round (goal: ok)" || echo "NO (goal: MISSED)")"
[[ $rw == n/a ]] && fail=1
exit "$fail"
