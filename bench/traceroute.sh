#!/usr/bin/env bash
# bench/traceroute.sh - netdiag traceroute against Butskoy traceroute, mtr and
# tracepath, side by side in one run inside lab namespaces (needs root):
#   A. the 7-hop chain of tests/lib/traceroute.bash with a silent hop (r2):
#      wall time vs Butskoy (defaults) and `mtr --report -c 1`, and vs the lower
#      bound (the path's RTT plus one silent-hop wait: NEAR x a later hop's RTT)
#   B. a chain with the kernel's ICMP rate limits, two runs back to back per
#      tool: wall time and invented `*` probes (the path has none)
#   C. --mtu vs tracepath on the chain (two MTU steps): wall time
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib.sh"
source "$root/tests/lib/lab.bash"
source "$root/tests/lib/traceroute.bash"
ND_BUILD=${ND_BUILD:-$root}
TRT=$ND_BUILD/traceroute/traceroute
BUTSKOY=/usr/bin/traceroute.db
[[ -x $BUTSKOY ]] || BUTSKOY=$(command -v traceroute)
bench_need "$TRT" "$BUTSKOY" mtr tracepath /usr/bin/time || exit 1
[[ $EUID -eq 0 ]] || { echo "bench: needs root (network namespaces)"; exit 1; }

lab_init
trt_chain 5 >/dev/null || { echo "bench: chain failed"; exit 1; }
trt_chain_rl >/dev/null || { echo "bench: rate-limit chain failed"; exit 1; }
C=$(lab_nsname c)
C2=$(lab_nsname c2)
out=$LAB_DIR/bench
mkdir -p "$out"

stars() { grep -o '\*' "$1" | wc -l; }

echo "== A. 7 hops, 5 ms links at both ends, hop 2 silent"
trt_silent r2 >/dev/null
bench_measure -n "$C" "$out/a-ours" "$TRT" -n "$TRT_D4"
bench_measure -n "$C" "$out/a-butskoy" "$BUTSKOY" -n "$TRT_D4"
bench_measure -n "$C" "$out/a-mtr" mtr -n -r -c 1 "$TRT_D4"
trt_unsilent r2
# lower bound: the destination's slowest RTT + NEAR (10) x hop 3's fastest RTT
lb=$(awk '/^ 7 / { for (i = 1; i <= NF; i++) if ($i == "ms" && $(i-1) + 0 > m) m = $(i-1) }
	/^ 3 / { for (i = 1; i <= NF; i++) if ($i == "ms" && (h == "" || $(i-1) + 0 < h)) h = $(i-1) }
	END { printf "%.4f", (m + 10 * h) / 1000 }' "$out/a-ours.out")
cat "$out/a-ours.out"
wa=$(<"$out/a-ours.wall") wb=$(<"$out/a-butskoy.wall") wm=$(<"$out/a-mtr.wall")
bench_table 34 10 10 10 -- "" "wall s" "ratio" "goal"
bench_table 34 10 10 10 -- "netdiag traceroute" "$(bench_fmt "$wa" 3)" "" ""
r=$(bench_ratio "$wa" "$wb")
bench_table 34 10 10 10 -- "Butskoy traceroute (ours/it)" "$(bench_fmt "$wb" 3)" "$r" "$(bench_goal "$r" le 1.0)"
bench_table 34 10 10 10 -- "mtr --report -c 1 (ours/it)" "$(bench_fmt "$wm" 3)" "$(bench_ratio "$wa" "$wm")" ""
r=$(bench_ratio "$wa" "$lb")
bench_table 34 10 10 10 -- "lower bound RTT+wait (ours/it)" "$(bench_fmt "$lb" 3)" "$r" "$(bench_goal "$r" le 1.2)"
echo "invented * (silent hop excluded): ours $(($(stars "$out/a-ours.out") - 3)), Butskoy $(($(stars "$out/a-butskoy.out") - 3))"

echo
echo "== B. kernel ICMP rate limits, two runs back to back (no silent hop on this path)"
bench_table 34 10 10 10 -- "" "run 1 s" "run 2 s" "invented *"
bench_measure -n "$C2" "$out/b-ours1" "$TRT" -n 10.20.14.2
bench_measure -n "$C2" "$out/b-ours2" "$TRT" -n 10.20.14.2
bench_table 34 10 10 10 -- "netdiag traceroute" "$(bench_fmt "$(<"$out/b-ours1.wall")" 3)" \
	"$(bench_fmt "$(<"$out/b-ours2.wall")" 3)" "$(($(stars "$out/b-ours1.out") + $(stars "$out/b-ours2.out")))"
sleep 7   # let the routers' buckets refill (6 tokens, one a second)
bench_measure -n "$C2" "$out/b-bk1" "$BUTSKOY" -n 10.20.14.2
bench_measure -n "$C2" "$out/b-bk2" "$BUTSKOY" -n 10.20.14.2
bench_table 34 10 10 10 -- "Butskoy traceroute" "$(bench_fmt "$(<"$out/b-bk1.wall")" 3)" \
	"$(bench_fmt "$(<"$out/b-bk2.wall")" 3)" "$(($(stars "$out/b-bk1.out") + $(stars "$out/b-bk2.out")))"
echo "second runs:"; cat "$out/b-ours2.out" "$out/b-bk2.out"

echo
echo "== C. --mtu against tracepath (MTU 1500 -> 1400 -> 1280)"
bench_measure -n "$C" "$out/c-ours" "$TRT" -n --mtu "$TRT_D4"
lab_exec c ip route flush cache >/dev/null 2>&1
bench_measure -n "$C" "$out/c-tp" tracepath -n "$TRT_D4"
cat "$out/c-ours.out"
wo=$(<"$out/c-ours.wall") wt=$(<"$out/c-tp.wall")
r=$(bench_ratio "$wo" "$wt")
bench_table 34 10 10 10 -- "" "wall s" "ratio" "goal"
bench_table 34 10 10 10 -- "netdiag traceroute --mtu" "$(bench_fmt "$wo" 3)" "" ""
bench_table 34 10 10 10 -- "tracepath (ours/it)" "$(bench_fmt "$wt" 3)" "$r" "$(bench_goal "$r" le 0.5)"
echo "peak RSS KB: ours $(<"$out/a-ours.rss"), Butskoy $(<"$out/a-butskoy.rss"), mtr $(<"$out/a-mtr.rss"), tracepath $(<"$out/c-tp.rss")"
