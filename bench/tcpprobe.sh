#!/bin/bash
# bench/tcpprobe.sh - tcpprobe against nmap -sS (full-port scan) and hping3 -S
# and ping (repeated-probe RTT), side by side in one run.
#
# Everything runs in network namespaces made here with tests/lib/lab.bash (unique
# prefix, no route outside, removed on every exit path):
#
#   client --veth-- server   10.31.0.1 -> 10.31.0.2   full scan: socat listeners on
#                                                     22, 80, 8080; every other port
#                                                     closed (kernel RST)
#   client --vde2-- far      10.31.1.1 -> 10.31.1.2   DELAY ms each way, listener on 80
#
# 1. scan: all 65535 ports, `tcpprobe -n --rate R` against
#    `nmap -sS -n -Pn -p- --min-rate R --max-rate R` (the same rate); wall time on the
#    monotonic clock (bench/lib.sh) and the ports each tool reports open/closed/filtered.
#    Goal: ours no slower (ratio ours/nmap <= 1) with no port misclassified.
# 2. RTT: COUNT probes of the far host's port 80, `tcpprobe -c`, `hping3 -S` and ping
#    (ICMP echo) at the same interval, one after the other.  tcpdump on the client's
#    end of the link stamps every SYN / SYN-ACK and echo request / reply (kernel
#    stamps, independent of the tools): a tool's error is the median over its probes
#    of |its RTT - that probe's wire RTT|.  tcpdump stamps a sent packet before the
#    driver does (dev_queue_xmit_nit, then its own copy), so a tool that takes the
#    driver's transmit stamp reads a little under the wire.  The means of ping and of
#    ours are compared too, as the issue words its goal, but on this link they differ
#    by ~0.1 ms from run to run (wirefilter's delay depends on when a packet arrives;
#    they differ as much when the tools run at once), so the goal is read against the
#    wire: ours within 10 us of it; the ratio ours/hping3 for both errors.
#
# Settings (environment): BENCH_TP_OURS (tcpprobe/tcpprobe), BENCH_TP_RATE (20000),
# BENCH_TP_DELAY_MS (3), BENCH_TP_COUNT (200), BENCH_TP_INTERVAL (0.02).
# Exit 0 when every measurement was taken, 1 when a run failed, 2 when it could not start.
set -eu -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

OURS=${BENCH_TP_OURS:-$ROOT/tcpprobe/tcpprobe}
RATE=${BENCH_TP_RATE:-20000}
DELAY=${BENCH_TP_DELAY_MS:-3}
COUNT=${BENCH_TP_COUNT:-200}
IVL=${BENCH_TP_INTERVAL:-0.02}

die() { echo "bench/tcpprobe.sh: $*" >&2; exit 2; }
[[ $EUID -eq 0 ]] || die "needs root (network namespaces)"
bench_need "$OURS" nmap hping3 ping socat /usr/bin/time || die "tools missing (make deps)"

# shellcheck source=tests/lib/lab.bash
source "$ROOT/tests/lib/lab.bash"
lab_init || die "lab_init failed"
D=$LAB_DIR/bench
mkdir -p "$D"

C=$(lab_ns client)
lab_ns server >/dev/null
lab_ns far >/dev/null
lab_link client server 10.31.0.1/24 10.31.0.2/24
lab_impair_link client far "$DELAY" 0 0 neigh=static 10.31.1.1/24 10.31.1.2/24
for p in 22 80 8080; do lab_bg server socat "TCP4-LISTEN:$p,fork,reuseaddr,backlog=1024" EXEC:/bin/true; done
lab_bg far socat "TCP4-LISTEN:80,fork,reuseaddr" EXEC:/bin/true
sleep 0.5
# the server must not rate-limit its RSTs or ICMP for a fair scan
lab_sysctl server net.ipv4.tcp_max_syn_backlog=65536 >/dev/null

failed=0
# ---- 1. full scan
echo "== full scan of 65535 ports at $RATE probes/s"
bench_measure -n "$C" "$D/scan.ours" "$OURS" -n --rate "$RATE" 10.31.0.2 1-65535 || true
bench_measure -n "$C" "$D/scan.nmap" nmap -sS -n -Pn -p- --min-rate "$RATE" --max-rate "$RATE" 10.31.0.2 || true
ours_open=$(awk '$2 == "open" { split($1, a, ":"); print a[2] }' "$D/scan.ours.out" | sort -n | paste -sd, -)
ours_closed=$(awk '$2 == "closed"' "$D/scan.ours.out" | wc -l)
ours_filt=$(awk '$2 == "filtered"' "$D/scan.ours.out" | wc -l)
nmap_open=$(awk '$2 == "open" { split($1, a, "/"); print a[1] }' "$D/scan.nmap.out" | sort -n | paste -sd, -)
nmap_filt=$(awk '$2 == "filtered"' "$D/scan.nmap.out" | wc -l)
nmap_closed=$(sed -nE 's/^Not shown: ([0-9]+) closed.*/\1/p' "$D/scan.nmap.out")
nmap_closed=${nmap_closed:-$(awk '$2 == "closed"' "$D/scan.nmap.out" | wc -l)}
echo "tcpprobe: $(bench_fmt "$(cat "$D/scan.ours.wall")" 3) s, open $ours_open, closed $ours_closed, filtered $ours_filt (rc $(cat "$D/scan.ours.rc"))"
echo "nmap -sS: $(bench_fmt "$(cat "$D/scan.nmap.wall")" 3) s, open $nmap_open, closed $nmap_closed, filtered $nmap_filt (rc $(cat "$D/scan.nmap.rc"))"
misclassified=$(( ours_filt + (ours_open == nmap_open ? 0 : 1) + (ours_closed == nmap_closed ? 0 : 1) ))
[[ $ours_open == 22,80,8080 ]] || misclassified=$((misclassified + 1))
[[ $(cat "$D/scan.ours.rc") == 0 && $(cat "$D/scan.nmap.rc") == 0 ]] || failed=1

# ---- 2. RTT
echo "== RTT: $COUNT probes, interval $IVL s, over a ${DELAY} ms-each-way link"
n_us=$(awk -v i="$IVL" 'BEGIN { printf "%d", i * 1000000 }')
bench_measure -n "$C" "$D/warm" ping -n -c 2 -i 0.2 10.31.1.2 || true
CAP=0
if command -v tcpdump >/dev/null; then
	lab_bg client tcpdump -i "$(lab_ifname client far)" -n -U --time-stamp-precision=nano \
		-w "$D/rtt.pcap" "host 10.31.1.2 and (icmp or tcp port 80)"
	TCPDUMP_PID=$LAB_PID
	lab_wait 5 grep -q 'listening on' "$LAB_LOG" && CAP=1
fi
# one after the other: hping3 run beside another prober counts its answers as
# its own (a 3 ms mean on this 6.5 ms link)
bench_measure -n "$C" "$D/rtt.ping" ping -n -c "$COUNT" -i "$IVL" 10.31.1.2 || true
bench_measure -n "$C" "$D/rtt.ours" "$OURS" -n -c "$COUNT" -i "$IVL" 10.31.1.2 80 || true
bench_measure -n "$C" "$D/rtt.hping" hping3 -n -S -p 80 -c "$COUNT" -i "u$n_us" 10.31.1.2 || true
values() { sed -nE "s/.*$1([0-9.]+) ms.*/\1/p" "$2"; }
mean_of() { values "$1" "$2" | bench_mean; }
if ((CAP)); then
	sleep 1.5   # tcpdump -U flushes per packet, but let the last block land
	lab_kill "$TCPDUMP_PID" || true
	# "kind rtt_ms" per answered probe, in send order: kind is icmp, or the SYN's
	# source port (ours holds one port for the run, hping3 counts up)
	tcpdump -r "$D/rtt.pcap" -n -tt --time-stamp-precision=nano 2>/dev/null | awk '
		function stamp(f) { split(f, t, "."); sec = t[1]; ns = t[2] }
		function ms(k) { return sprintf("%.6f", ((sec - s0[k]) + (("0." ns) - ("0." n0[k]))) * 1000) }
		/ICMP echo (request|reply)/ {
			stamp($1); id = ""; sq = ""
			for (i = 1; i <= NF; i++) {
				if ($i == "id") { id = $(i + 1); sub(/,$/, "", id) }
				if ($i == "seq") { sq = $(i + 1); sub(/,$/, "", sq) }
			}
			k = "i" id "/" sq
			if ($0 ~ /echo request/) { if (!(k in s0)) { s0[k] = sec; n0[k] = ns; order[++n] = k; kind[k] = "icmp" } }
			else if ((k in s0) && !(k in rtt)) rtt[k] = ms(k)
			next
		}
		/ Flags \[S\]/ || / Flags \[S\.\]/ {
			stamp($1); src = $3; dst = $5; sub(/:$/, "", dst); seq = ""; ack = ""
			for (i = 1; i <= NF; i++) {
				if ($i == "seq") { seq = $(i + 1); sub(/,$/, "", seq) }
				if ($i == "ack") { ack = $(i + 1); sub(/,$/, "", ack) }
			}
			if ($0 ~ /Flags \[S\]/) {
				k = src "/" seq
				if (!(k in s0)) { s0[k] = sec; n0[k] = ns; order[++n] = k; p = src; sub(/.*\./, "", p); kind[k] = p }
			} else {
				k = dst "/" sprintf("%.0f", (ack + 4294967295) % 4294967296)   # mawk prints big integers as %.6g
				if ((k in s0) && !(k in rtt)) rtt[k] = ms(k)
			}
		}
		END { for (i = 1; i <= n; i++) if (order[i] in rtt) print kind[order[i]], rtt[order[i]] }' >"$D/wire.txt"
	[[ -s $D/wire.txt ]] || CAP=0
fi
# wire_err TOOL_VALUES_FILE KIND: median |tool - wire| in us, pairing the n-th
# answered probe of the tool with the n-th wire RTT of its kind (icmp, ours,
# or any other port: hping3)
wire_err() {
	awk -v kind="$2" -v ours="$ours_port" 'FNR == NR {
			k = $1 == "icmp" ? "icmp" : $1 == ours ? "ours" : "hping3"
			if (k == kind) w[++n] = $2
			next
		}
		{ if (++m <= n) { d = ($1 - w[m]) * 1000; print (d < 0 ? -d : d) } }' "$D/wire.txt" "$1" |
		bench_median
}
ping_mean=$(mean_of 'time=' "$D/rtt.ping.out")
ours_mean=$(mean_of 'time=' "$D/rtt.ours.out")
hping_mean=$(mean_of 'rtt=' "$D/rtt.hping.out")
err() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") exit 1; d = (a - b) * 1000; if (d < 0) d = -d; printf "%.0f", d }'; }
ours_err=$(err "$ours_mean" "$ping_mean" || echo n/a)
hping_err=$(err "$hping_mean" "$ping_mean" || echo n/a)
echo "ping     mean $(bench_fmt "$ping_mean" 3) ms"
echo "tcpprobe mean $(bench_fmt "$ours_mean" 3) ms, |mean - ping mean| $ours_err us"
echo "hping3   mean $(bench_fmt "$hping_mean" 3) ms, |mean - ping mean| $hping_err us"
ours_werr=n/a hping_werr=n/a ping_werr=n/a
if ((CAP)); then
	values 'time=' "$D/rtt.ping.out" >"$D/v.ping"
	values 'time=' "$D/rtt.ours.out" >"$D/v.ours"
	values 'rtt=' "$D/rtt.hping.out" >"$D/v.hping"
	ours_port=$(awk '$1 != "icmp" { c[$1]++ } END { for (k in c) if (c[k] > m) { m = c[k]; p = k }; print p }' "$D/wire.txt")
	ping_werr=$(bench_fmt "$(wire_err "$D/v.ping" icmp)" 1)
	ours_werr=$(bench_fmt "$(wire_err "$D/v.ours" ours)" 1)
	hping_werr=$(bench_fmt "$(wire_err "$D/v.hping" hping3)" 1)
	echo "against the wire (tcpdump, per probe, median |tool - wire|):" \
		"ping $ping_werr us, tcpprobe $ours_werr us, hping3 $hping_werr us"
else
	echo "(no capture: no wire reference)"
fi

echo "ratios:"
scan_ratio=$(bench_ratio "$(cat "$D/scan.ours.wall")" "$(cat "$D/scan.nmap.wall")")
echo "  scan wall time tcpprobe/nmap = $scan_ratio ($(bench_goal "$scan_ratio" le 1)), misclassified ports: $misclassified"
echo "  RTT |mean - ping mean| tcpprobe/hping3 = $(bench_ratio "$ours_err" "$hping_err") (tcpprobe $ours_err us; the link's drift, see above)"
echo "  RTT error against the wire tcpprobe/hping3 = $(bench_ratio "$ours_werr" "$hping_werr") ; tcpprobe $ours_werr us, ping $ping_werr us (goal <= 10 us: $(bench_goal "$ours_werr" le 10))"
[[ -n $ours_mean && -n $ping_mean ]] || failed=1
exit $failed
