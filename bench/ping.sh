#!/bin/bash
# bench/ping.sh - our ping against iputils' ping, side by side in one run.
#
# Everything runs in network namespaces made here with tests/lib/lab.bash (unique
# prefix, no route outside, removed on every exit path, Ctrl-C included):
#
#   client --veth-- peer      192.0.2.1 -> 192.0.2.2       flood
#   client --vde2-- far       198.51.100.1 -> 198.51.100.2 delayed link (wirefilter,
#                                                          DELAY ms each way)
#
# 1. flood: `ping -f -q -n -c N` to the veth peer, both tools interleaved (the order
#    alternates every round), ROUNDS runs each; replies/s = received / wall time,
#    wall time taken outside the tool on the monotonic clock (bench/lib.sh).
# 2. peak RSS: the largest /usr/bin/time %M over every run of a tool (flood and RTT).
# 3. RTT error on the delayed link: `ping -n -c COUNT -i INTERVAL`, both tools
#    interleaved. tcpdump on the client's end of the link stamps every echo request
#    and reply (kernel timestamps, independent of both tools): that per-packet wire RTT
#    is the reference, and a tool's error is the median of |time= - wire RTT| over its
#    replies (the capture stamps a request a few microseconds before the driver's
#    transmit timestamp that SO_TIMESTAMPING gives, so a tool using the latter reads
#    ~5-10 us below the "wire"; one timing from user space reads above it).
#    The nominal RTT (2 x DELAY) is shown too, with |time= - nominal|: vde2 itself
#    adds ~0.3-0.6 ms, the same for both tools, so that figure mostly measures vde2.
#    Without tcpdump, the nominal value is the reference.
#    DELAY defaults to 3 ms (RTT ~6.5 ms) because both tools print time= with 0.01 ms
#    resolution below 10 ms and only 0.1 ms from 10 ms up, which would hide errors of
#    a few tens of microseconds.
#
# Output: runs, a table, and a "ratios:" block (ours/iputils) with the goals: flood
# rate >= 1, peak RSS <= 1, RTT error <= 1. Exit 0 when every measurement was taken
# (whether or not the goals are met), 1 when some run failed or a ratio could not be
# computed, 2 when the benchmark could not start (not root, tools missing, lab).
#
# Settings (environment): BENCH_PING_OURS (ping/ping), BENCH_PING_IPUTILS (/usr/bin/ping),
# BENCH_FLOOD_COUNT (50000), BENCH_FLOOD_ROUNDS (5), BENCH_DELAY_MS (3),
# BENCH_RTT_COUNT (50), BENCH_RTT_INTERVAL (0.05), BENCH_RTT_ROUNDS (3),
# BENCH_KEEP=DIR (copy the raw outputs and the capture there), BENCH_CAPTURE=0 (no
# tcpdump: the nominal RTT is the reference).
set -eu -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

OURS=${BENCH_PING_OURS:-$ROOT/ping/ping}
IPUTILS=${BENCH_PING_IPUTILS:-/usr/bin/ping}
FLOOD_N=${BENCH_FLOOD_COUNT:-50000}
FLOOD_R=${BENCH_FLOOD_ROUNDS:-5}
DELAY=${BENCH_DELAY_MS:-3}
RTT_N=${BENCH_RTT_COUNT:-50}
RTT_I=${BENCH_RTT_INTERVAL:-0.05}
RTT_R=${BENCH_RTT_ROUNDS:-3}

die() { echo "bench/ping.sh: $*" >&2; exit 2; }

for v in FLOOD_N FLOOD_R RTT_N RTT_R; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
if [[ ! $DELAY =~ ^[0-9]+(\.[0-9]+)?$ ]] || ! awk -v d="$DELAY" 'BEGIN { exit !(d > 0) }'; then
	die "BENCH_DELAY_MS must be a positive number of ms, got '$DELAY'"
fi
[[ $RTT_I =~ ^[0-9]*\.?[0-9]+$ ]] || die "BENCH_RTT_INTERVAL must be seconds, got '$RTT_I'"

((EUID == 0)) || die "needs root (it builds network namespaces)"
[[ -x $OURS ]] || die "no $OURS: build it first (make -C $ROOT ping/ping)"
[[ -x $IPUTILS ]] || die "no iputils ping at $IPUTILS (Debian package iputils-ping)"
bench_need ip /usr/bin/time vde_switch vde_plug dpipe wirefilter awk sort ||
	die "missing tools (make deps installs them)"
HAVE_TCPDUMP=${BENCH_CAPTURE:-1}
if ((HAVE_TCPDUMP)) && ! bench_need tcpdump 2>/dev/null; then HAVE_TCPDUMP=0; fi

# shellcheck source=tests/lib/lab.bash
source "$ROOT/tests/lib/lab.bash"
lab_init || die "lab_init failed"
# from here on lab.bash's traps remove the lab on exit, error, Ctrl-C, TERM, HUP;
# everything we write lives in $LAB_DIR and goes with it
D=$LAB_DIR/bench
mkdir -p "$D"

V_OURS=$("$OURS" -V 2>&1 | head -n 1) || true
V_IPUTILS=$("$IPUTILS" -V 2>&1 | head -n 1) || true
SET_RTT=$(awk -v d="$DELAY" 'BEGIN { printf "%.3f", 2 * d }')

echo "ping benchmark: ours = $OURS ($V_OURS)"
echo "                iputils = $IPUTILS ($V_IPUTILS)"

lab_ns client >/dev/null || die "lab: namespace"
lab_ns peer >/dev/null || die "lab: namespace"
lab_ns far >/dev/null || die "lab: namespace"
lab_link client peer neigh=static 192.0.2.1/24 192.0.2.2/24 || die "lab: veth link"
lab_impair_link client far "$DELAY" 0 0 neigh=static 198.51.100.1/24 198.51.100.2/24 ||
	die "lab: vde2 link"
NS=$(lab_nsname client)
FAR_IF=$(lab_ifname client far)
echo "lab ${LAB_PREFIX}: client-peer veth; client-far vde2 wirefilter -d $DELAY (set RTT $SET_RTT ms);" \
	"timer: $(bench_clock) clock"

# failures go to a file: check_run runs in $( )
fail() { echo "$*" >>"$D/fails"; echo "  FAILED: $*" >&2; }
nfails() { if [[ -f $D/fails ]]; then wc -l <"$D/fails"; else echo 0; fi; }

# footer "N packets transmitted, M received, ..." -> "N M" (nothing when absent)
footer() { awk '/packets transmitted/ { t = $1; for (i = 1; i <= NF; i++) if ($(i+1) ~ /^received/) r = $i; print t, r; exit }' "$1"; }

# check_run OUT TOOL WHAT EXPECT_TX: exit status and footer; prints "tx rx" or fails
check_run() {
	local out=$1 tool=$2 what=$3 n=$4 rc f tx rx
	rc=$(<"$out.rc")
	f=$(footer "$out.out")
	if ((rc >= 126)); then
		fail "$tool $what: exit status $rc$( ((rc > 128)) && echo " (signal $((rc - 128)))")" \
			"stderr: $(head -c 300 "$out.err" | tr '\n' ' ')"
		return 1
	fi
	if [[ -z $f ]]; then
		fail "$tool $what: no statistics footer (exit $rc) stderr: $(head -c 300 "$out.err" | tr '\n' ' ')"
		return 1
	fi
	read -r tx rx <<<"$f"
	if [[ $tx != "$n" ]]; then
		fail "$tool $what: $tx packets transmitted, expected $n (exit $rc)"
		return 1
	fi
	if ((rx == 0)); then
		fail "$tool $what: no reply received (exit $rc)"
		return 1
	fi
	echo "$tx $rx"
}

bin_of() { if [[ $1 == ours ]]; then echo "$OURS"; else echo "$IPUTILS"; fi; }
order() { if (($1 % 2)); then echo ours iputils; else echo iputils ours; fi; }

# ------------------------------------------------------------------ warm-up
for t in ours iputils; do
	bench_measure -n "$NS" "$D/warm.$t" "$(bin_of "$t")" -f -q -n -c 2000 192.0.2.2 || true
	check_run "$D/warm.$t" "$t" "warm-up flood" 2000 >/dev/null || true
	bench_measure -n "$NS" "$D/warmd.$t" "$(bin_of "$t")" -n -c 2 -i 0.2 198.51.100.2 || true
	check_run "$D/warmd.$t" "$t" "warm-up on the delayed link" 2 >/dev/null || true
done
if (( $(nfails) )); then
	echo "the warm-up failed; not measuring" >&2
	exit 1
fi

# ------------------------------------------------------------------ 1. flood
echo
echo "flood: ping -f -q -n -c $FLOOD_N 192.0.2.2, $FLOOD_R rounds, interleaved"
for ((r = 1; r <= FLOOD_R; r++)); do
	line="  round $r:"
	for t in $(order "$r"); do
		o=$D/flood.$t.$r
		bench_measure -n "$NS" "$o" "$(bin_of "$t")" -f -q -n -c "$FLOOD_N" 192.0.2.2 || true
		if txrx=$(check_run "$o" "$t" "flood round $r" "$FLOOD_N"); then
			read -r tx rx <<<"$txrx"
			rate=$(awk -v n="$rx" -v w="$(<"$o.wall")" 'BEGIN { printf "%.0f", n / w }')
			echo "$rate" >"$o.rate"
			line+=$(printf ' %-7s %7s/s (%s/%s in %.3f s, %s KB)' "$t" "$rate" "$rx" "$tx" "$(<"$o.wall")" "$(<"$o.rss")")
			((rx == tx)) || line+=" LOSS"
		else
			line+=" $t failed;"
		fi
	done
	echo "$line"
done

rates() { cat "$D"/flood."$1".*.rate 2>/dev/null || true; }
R_OURS=$(rates ours | bench_median)
R_IPUTILS=$(rates iputils | bench_median)
[[ -n $R_OURS && -n $R_IPUTILS ]] || fail "flood: no valid run for a tool"

# ------------------------------------------------------------------ 3. RTT on the delayed link
echo
echo "delayed link: ping -n -c $RTT_N -i $RTT_I 198.51.100.2, $RTT_R rounds, interleaved" \
	"(set RTT $SET_RTT ms)"
CAP=0
if ((HAVE_TCPDUMP)); then
	lab_bg client tcpdump -i "$FAR_IF" -n -U --time-stamp-precision=nano -w "$D/rtt.pcap" icmp
	TCPDUMP_PID=$LAB_PID TCPDUMP_LOG=$LAB_LOG
	if lab_wait 5 grep -q 'listening on' "$TCPDUMP_LOG"; then
		CAP=1
	else
		echo "  (tcpdump did not start: $(tr '\n' ' ' <"$TCPDUMP_LOG"); nominal RTT is the reference)"
	fi
else
	echo "  (no tcpdump: the nominal RTT is the reference)"
fi

for ((r = 1; r <= RTT_R; r++)); do
	for t in $(order "$r"); do
		o=$D/rtt.$t.$r
		bench_measure -n "$NS" "$o" "$(bin_of "$t")" -n -c "$RTT_N" -i "$RTT_I" 198.51.100.2 || true
		if txrx=$(check_run "$o" "$t" "delayed-link round $r" "$RTT_N"); then
			read -r tx rx <<<"$txrx"
			((rx == tx)) || echo "  note: $t round $r: $rx/$tx replies"
			# per-reply "seq time" (duplicates left out)
			awk '/icmp_seq=/ && / time=/ && !/DUP!/ {
				s = ""; m = ""
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^icmp_seq=/) s = substr($i, 10)
					if ($i ~ /^time=/) m = substr($i, 6)
				}
				if (s != "" && m != "") print s, m
			}' "$o.out" >"$o.seq"
			touch "$o.ok"
		fi
	done
done

WIRE_NOTE=
if ((CAP)); then
	# without --immediate-mode (whose per-packet wake-up of tcpdump, inside the send
	# path, would delay our transmit timestamp) packets reach tcpdump in blocks, at the
	# latest after its 1 s buffer timeout: wait for the last block before stopping it
	sleep 1.5
	lab_kill "$TCPDUMP_PID" || true
	drops=$(awk '/packets dropped by kernel/ { print $1 }' "$TCPDUMP_LOG")
	if [[ -n $drops && $drops != 0 ]]; then WIRE_NOTE=" (tcpdump: $drops packets dropped by kernel)"; fi
	# "sec frac type id seq" for every echo request/reply
	tcpdump -r "$D/rtt.pcap" -n -tt --time-stamp-precision=nano 2>/dev/null | awk '
		/ICMP echo (request|reply)/ {
			ty = ($0 ~ /echo request/) ? "q" : "p"; id = ""; sq = ""
			for (i = 1; i <= NF; i++) {
				if ($i == "id") { id = $(i + 1); sub(/,$/, "", id) }
				if ($i == "seq") { sq = $(i + 1); sub(/,$/, "", sq) }
			}
			split($1, ts, ".")
			print ts[1], ts[2], ty, id, sq
		}' >"$D/wire.txt"
	[[ -s $D/wire.txt ]] || { echo "  (the capture is empty: nominal RTT is the reference)"; CAP=0; }
fi

# per run: "seq tool_ms wire_ms" (wire_ms "-" when the capture has no pair for it)
for t in ours iputils; do
	for ((r = 1; r <= RTT_R; r++)); do
		o=$D/rtt.$t.$r
		[[ -f $o.ok ]] || continue
		if ((CAP)); then
			awk -v t0="$(<"$o.t0")" -v t1="$(<"$o.t1")" '
				FNR == NR {
					# wire.txt: keep packets inside the run window; the nanosecond part
					# stays apart from the seconds so no precision is lost
					split(t0, a, "."); split(t1, b, ".")
					ts = $1 + ("0." $2)
					if (ts < a[1] + ("0." a[2]) || ts > b[1] + ("0." b[2])) next
					k = $4 " " $5
					if ($3 == "q") { if (!(k in qs)) { qs[k] = $1; qf[k] = $2; bysq[$5] = k } }
					else if (!(k in ps)) { ps[k] = $1; pf[k] = $2 }
					next
				}
				{
					k = bysq[$1]
					if (k != "" && (k in ps))
						w = sprintf("%.6f", ((ps[k] - qs[k]) + (("0." pf[k]) - ("0." qf[k]))) * 1000)
					else
						w = "-"
					print $1, $2, w
				}' "$D/wire.txt" "$o.seq" >"$o.join"
		else
			awk '{ print $1, $2, "-" }' "$o.seq" >"$o.join"
		fi
	done
done

joined() { cat "$D"/rtt."$1".*.join 2>/dev/null || true; }
rtt_median() { joined "$1" | awk '{ print $2 }' | bench_median; }
err_wire() { joined "$1" | awk '$3 != "-" { d = $2 - $3; print (d < 0 ? -d : d) }' | bench_median; }
bias_wire() { joined "$1" | awk '$3 != "-" { print $2 - $3 }' | bench_median; }
err_set() { joined "$1" | awk -v s="$SET_RTT" '{ d = $2 - s; print (d < 0 ? -d : d) }' | bench_median; }
n_wire() { joined "$1" | awk '$3 != "-"' | wc -l; }
n_replies() { joined "$1" | wc -l; }

for t in ours iputils; do
	if [[ $(n_replies "$t") == 0 ]]; then fail "delayed link: no reply with time= from $t"; fi
	if ((CAP)) && [[ $(n_wire "$t") != $(n_replies "$t") ]]; then
		echo "  note: $t: $(n_wire "$t") of $(n_replies "$t") replies found in the capture"
	fi
done

RTT_OURS=$(rtt_median ours)
RTT_IPUTILS=$(rtt_median iputils)
ES_OURS=$(err_set ours)
ES_IPUTILS=$(err_set iputils)
if ((CAP)); then
	WIRE=$( (joined ours; joined iputils) | awk '$3 != "-" { print $3 }' | bench_median)
	EW_OURS=$(err_wire ours)
	EW_IPUTILS=$(err_wire iputils)
	B_OURS=$(bias_wire ours)
	B_IPUTILS=$(bias_wire iputils)
	E_OURS=$EW_OURS E_IPUTILS=$EW_IPUTILS E_REF="wire"
else
	E_OURS=$ES_OURS E_IPUTILS=$ES_IPUTILS E_REF="set"
fi

# ------------------------------------------------------------------ 2. peak RSS
rss_max() { cat "$D"/flood."$1".*.rss "$D"/rtt."$1".*.rss 2>/dev/null | grep -E '^[0-9]+$' | bench_max || true; }
M_OURS=$(rss_max ours)
M_IPUTILS=$(rss_max iputils)
[[ -n $M_OURS && -n $M_IPUTILS ]] || fail "peak RSS: no value for a tool"

# ------------------------------------------------------------------ report
RATIO_RATE=$(bench_ratio "$R_OURS" "$R_IPUTILS")
RATIO_RSS=$(bench_ratio "$M_OURS" "$M_IPUTILS")
RATIO_ERR=$(bench_ratio "$E_OURS" "$E_IPUTILS")
RATIO_ERR_SET=$(bench_ratio "$ES_OURS" "$ES_IPUTILS")

W=(44 15 15 8)
row() { bench_table "${W[@]}" -- "$@"; }
paired() {
	local r
	for ((r = 1; r <= FLOOD_R; r++)); do
		if [[ -f $D/flood.ours.$r.rate && -f $D/flood.iputils.$r.rate ]]; then
			bench_ratio "$(<"$D/flood.ours.$r.rate")" "$(<"$D/flood.iputils.$r.rate")" 4
		fi
	done
}
rng() { rates "$1" | bench_min | xargs -r printf '%.0f'; printf '..'; rates "$1" | bench_max | xargs -r printf '%.0f'; }
echo
row "" ours iputils ratio
row "flood replies/s (median of $FLOOD_R)" "$(bench_fmt "$R_OURS")" "$(bench_fmt "$R_IPUTILS")" "$RATIO_RATE"
row "  range" "$(rng ours)" "$(rng iputils)" ""
row "  per-round ratio, median (paired)" "" "" "$(paired | bench_median | xargs -r printf "%.2f")"
row "peak RSS, KB (max over all runs)" "$(bench_fmt "$M_OURS")" "$(bench_fmt "$M_IPUTILS")" "$RATIO_RSS"
row "RTT median, ms (wire: $(bench_fmt "${WIRE:-}" 3), set: $SET_RTT)" \
	"$(bench_fmt "$RTT_OURS" 3)" "$(bench_fmt "$RTT_IPUTILS" 3)" "$(bench_ratio "$RTT_OURS" "$RTT_IPUTILS" 3)"
if ((CAP)); then
	row "RTT error vs wire, median |time-wire|, ms" "$(bench_fmt "$EW_OURS" 4)" "$(bench_fmt "$EW_IPUTILS" 4)" "$RATIO_ERR"
	row "  signed, median (time-wire), ms" "$(bench_fmt "$B_OURS" 4)" "$(bench_fmt "$B_IPUTILS" 4)" ""
fi
row "RTT error vs set, median |time-$SET_RTT|, ms" "$(bench_fmt "$ES_OURS" 4)" "$(bench_fmt "$ES_IPUTILS" 4)" "$RATIO_ERR_SET"
if ((CAP)); then
	row "  replies (matched in the capture)" "$(n_replies ours) ($(n_wire ours))" "$(n_replies iputils) ($(n_wire iputils))" ""
else
	row "  replies" "$(n_replies ours)" "$(n_replies iputils)" ""
fi
if [[ -n $WIRE_NOTE ]]; then echo "note:$WIRE_NOTE"; fi

echo
echo "ratios:"
echo "flood rate ratio (ours/iputils): $RATIO_RATE   (goal >= 1: $(bench_goal "$RATIO_RATE" ge 1))"
echo "peak RSS ratio (ours/iputils): $RATIO_RSS   (goal <= 1: $(bench_goal "$RATIO_RSS" le 1))"
echo "RTT error ratio (ours/iputils, vs $E_REF): $RATIO_ERR   (goal <= 1: $(bench_goal "$RATIO_ERR" le 1))"

if [[ -n ${BENCH_KEEP:-} ]]; then
	mkdir -p "$BENCH_KEEP" && cp -r "$D"/. "$BENCH_KEEP"/ && echo "raw outputs kept in $BENCH_KEEP"
fi

for x in "$RATIO_RATE" "$RATIO_RSS" "$RATIO_ERR"; do
	[[ $x =~ ^[0-9.]+$ ]] || fail "a ratio could not be computed ($x)"
done
if (( $(nfails) )); then
	echo
	echo "$(nfails) measurement(s) failed:"
	sed "s/^/  /" "$D/fails"
	exit 1
fi
exit 0
