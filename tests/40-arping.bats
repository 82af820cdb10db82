#!/usr/bin/env bats
# tests/40-arping.bats - arping end to end on a bridged LAN of namespaces,
# side by side with iputils arping (and arp-scan for --scan).
#
# LAN "lan" (one bridge):  c   10.9.0.1   02:00:00:09:00:01  (runs the tools)
#                          h1  10.9.0.2   02:00:00:09:00:02
#                          h2  10.9.0.3   02:00:00:09:00:03  (+ .10-.14)
#                          h3  10.9.0.50  02:00:00:09:00:50  \ the same IP:
#                          h4  10.9.0.50  02:00:00:09:00:51  / a conflict
#                          gw  10.9.0.254 02:00:00:09:00:fe
# 10.9.0.77 is nobody's; c routes 10.77.0.0/16 via gw (off-link).
# Built once in setup_file; each test only reads it (neighbour caches are
# flushed where a test depends on them).

load lib/lab
bats_require_minimum_version 1.5.0

ARPING=${ND_BUILD:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}/arping/arping
MODEL=/usr/bin/arping
ARPSCAN=/usr/sbin/arp-scan
PEERS=$BATS_TEST_DIRNAME/peers

setup_file() {
	if [[ $EUID -ne 0 ]]; then echo "40-arping.bats needs root" >&2; return 1; fi
	[[ -x $ARPING ]] || { echo "no $ARPING: build it first" >&2; return 1; }
	[[ -x $MODEL && -x $ARPSCAN ]] || { echo "needs iputils-arping and arp-scan" >&2; return 1; }
	lab_init
	local n
	for n in c h1 h2 h3 h4 gw; do lab_ns "$n" >/dev/null; done
	lab_bridge lan c=10.9.0.1/24 h1=10.9.0.2/24 h2=10.9.0.3/24 h3=10.9.0.50/24 h4=10.9.0.50/24 gw=10.9.0.254/24
	ip -n "$(lab_nsname c)" link set lan address 02:00:00:09:00:01
	ip -n "$(lab_nsname h1)" link set lan address 02:00:00:09:00:02
	ip -n "$(lab_nsname h2)" link set lan address 02:00:00:09:00:03
	ip -n "$(lab_nsname h3)" link set lan address 02:00:00:09:00:50
	ip -n "$(lab_nsname h4)" link set lan address 02:00:00:09:00:51
	ip -n "$(lab_nsname gw)" link set lan address 02:00:00:09:00:fe
	for n in 10 11 12 13 14; do lab_addr h2 lan 10.9.0.$n/24; done
	lab_route c 10.77.0.0/16 via 10.9.0.254
	export LAB_PREFIX LAB_DIR
}

teardown_file() { lab_cleanup --force; }
teardown() { lab_teardown; }

# _mask: RTTs to N.NNN, as the tools' outputs are compared with numbers masked
_mask() { sed -E 's/[0-9]+\.[0-9]{3}ms$/N.NNNms/'; }
# _rtts: the RTT of every reply line in $output, one per line
_rtts() { grep -oE '[0-9]+\.[0-9]{3}ms$' <<<"$output" | tr -d 'ms'; }
_min() { sort -g | head -1; }

@test "probe: same lines, counts and exit code as iputils arping; true RTTs below the model's +0.5 ms" {
	run_t 10 -0 lab_exec c "$MODEL" -c 2 -I lan 10.9.0.2
	local model=$output model_min
	model_min=$(_rtts | _min)
	run_t 10 -0 lab_exec c "$ARPING" -c 2 -I lan 10.9.0.2
	local ours_min
	ours_min=$(_rtts | _min)
	assert_equal "$(_mask <<<"$output")" "$(_mask <<<"$model")"
	assert_line --index 0 "ARPING 10.9.0.2 from 10.9.0.1 lan"
	assert_line --index 1 --regexp '^Unicast reply from 10\.9\.0\.2 \[02:00:00:09:00:02\]  [0-9]+\.[0-9]{3}ms$'
	assert_line "Sent 2 probes (1 broadcast(s))"
	assert_line "Received 2 response(s)"
	# iputils prints (true + 0.5 ms); ours is the kernel-stamped truth
	awk -v o="$ours_min" -v m="$model_min" 'BEGIN { exit !(m >= 0.5 && o < m - 0.2) }'
}

@test "no -I: interface and source from the kernel's route, as iputils finds them" {
	run_t 10 -0 lab_exec c "$MODEL" -c 1 10.9.0.3
	local model=$output
	run_t 10 -0 lab_exec c "$ARPING" -c 1 10.9.0.3
	assert_equal "$(_mask <<<"$output")" "$(_mask <<<"$model")"
	assert_line --index 0 "ARPING 10.9.0.3 from 10.9.0.1 lan"
}

@test "an address nobody holds: no reply, exit 1 like iputils (-c 1 -w 1)" {
	run_t 10 -1 lab_exec c "$MODEL" -c 1 -w 1 10.9.0.77
	local model=$output
	run_t 10 -1 lab_exec c "$ARPING" -c 1 -w 1 10.9.0.77
	assert_equal "$output" "$model"
	assert_line "Received 0 response(s)"
}

@test "two hosts with one IP: both MACs shown, flagged as an address conflict (iputils shows both, unflagged)" {
	# iputils 20221126 exits 1 when replies != probes (fixed upstream since);
	# SPEC.md: 0 when any reply came
	run_t 10 -1 lab_exec c "$MODEL" -c 1 -I lan 10.9.0.50
	local model=$output
	[[ $model == *"[02:00:00:09:00:50]"* && $model == *"[02:00:00:09:00:51]"* ]]
	run_t 10 -0 lab_exec c "$ARPING" -c 1 -I lan 10.9.0.50
	assert_output --partial "[02:00:00:09:00:50]"
	assert_output --partial "[02:00:00:09:00:51]"
	assert_line --regexp '^Address conflict: 10\.9\.0\.50 is also at \[02:00:00:09:00:5[01]\] \(first answer from \[02:00:00:09:00:5[01]\]\)$'
	assert_line "Received 2 response(s)"
	# -q keeps the conflict line and nothing else
	run_t 10 -0 lab_exec c "$ARPING" -q -c 1 -I lan 10.9.0.50
	assert_output --regexp '^Address conflict: 10\.9\.0\.50'
	assert_equal "${#lines[@]}" 1
}

@test "-D: free address exits 0, taken address exits 1 at the first answer; same output as iputils" {
	run_t 10 -0 lab_exec c "$MODEL" -D -c 1 -w 1 -I lan 10.9.0.77
	local model=$output
	run_t 10 -0 lab_exec c "$ARPING" -D -c 1 -w 1 -I lan 10.9.0.77
	assert_equal "$output" "$model"
	assert_line --index 0 "ARPING 10.9.0.77 from 0.0.0.0 lan"
	run_t 10 -1 lab_exec c "$MODEL" -D -c 2 -I lan 10.9.0.2
	model=$output
	run_t 10 -1 lab_exec c "$ARPING" -D -c 2 -I lan 10.9.0.2
	assert_equal "$(_mask <<<"$output")" "$(_mask <<<"$model")"
	assert_line "Sent 1 probes (1 broadcast(s))"
	assert_line "Received 1 response(s)"
}

@test "-U and -A: a neighbour's ARP cache learns the announced address; exit 0 as iputils" {
	lab_sysctl h1 net.ipv4.conf.all.arp_accept=1 net.ipv4.conf.lan.arp_accept=1
	lab_addr c lan 10.9.0.9/24
	ip -n "$(lab_nsname h1)" neigh flush dev lan
	run_t 10 -0 lab_exec c "$ARPING" -U -c 1 -I lan 10.9.0.9
	assert_line --index 0 "ARPING 10.9.0.9 from 10.9.0.9 lan"
	assert_line "Sent 1 probes (1 broadcast(s))"
	local ours=$output
	run_t 5 -0 ip -n "$(lab_nsname h1)" neigh show 10.9.0.9
	assert_output --partial "lladdr 02:00:00:09:00:01"
	run_t 10 -0 lab_exec c "$MODEL" -U -c 1 -I lan 10.9.0.9
	assert_equal "$ours" "$output"
	# -A (an ARP reply) for another new address
	lab_addr c lan 10.9.0.8/24
	run_t 10 -0 lab_exec c "$ARPING" -A -c 2 -I lan 10.9.0.8
	assert_line "Sent 2 probes (2 broadcast(s))"
	run_t 5 -0 ip -n "$(lab_nsname h1)" neigh show 10.9.0.8
	assert_output --partial "lladdr 02:00:00:09:00:01"
}

@test "off-link destination: a warning naming the gateway; nobody answers; exit 1" {
	run_t 10 -1 --separate-stderr lab_exec c "$ARPING" -c 1 -w 1 10.77.0.5
	assert_equal "$stderr" "$ARPING: warning: 10.77.0.5 is not on a connected network: its route goes via gateway 10.9.0.254 (dev lan); ARP only reaches hosts on that link"
	assert_line "ARPING 10.77.0.5 from 10.9.0.1 lan"
}

@test "-f stops at the first reply; -b keeps broadcasting; -w with -c exits 1 short of count, as iputils" {
	run_t 10 -0 lab_exec c "$ARPING" -f -c 5 -i 0.2 10.9.0.2
	assert_line "Sent 1 probes (1 broadcast(s))"
	run_t 10 -0 lab_exec c "$ARPING" -b -c 3 -i 0.2 10.9.0.2
	assert_line "Sent 3 probes (3 broadcast(s))"
	assert_line "Received 3 response(s)"
	run_t 10 -0 lab_exec c "$ARPING" -c 3 -i 0.2 10.9.0.2
	assert_line "Sent 3 probes (1 broadcast(s))"
	run_t 10 -1 lab_exec c "$MODEL" -w 1 -c 3 10.9.0.2
	local model=$output
	run_t 10 -1 lab_exec c "$ARPING" -w 1 -c 3 10.9.0.2
	assert_equal "$(_mask <<<"$output")" "$(_mask <<<"$model")"
	run_t 10 -0 lab_exec c "$MODEL" -w 1 -c 1 10.9.0.2
	model=$output
	run_t 10 -0 lab_exec c "$ARPING" -w 1 -c 1 10.9.0.2
	assert_equal "$(_mask <<<"$output")" "$(_mask <<<"$model")"
}

@test "--scan finds exactly the hosts arp-scan finds, conflict flagged, and ends when the last window closes" {
	run_t 20 -0 lab_exec c "$ARPSCAN" -I lan -q -x 10.9.0.0/24
	local want
	want=$(awk '{ print $1, toupper($2) }' <<<"$output" | sort -u)
	run_t 20 -0 lab_exec c "$ARPING" --scan 10.9.0.0/24
	local got
	got=$(awk -F'\t' 'NR > 1 && NF >= 3 { print $1, $2 }' <<<"$output" | sort -u)
	assert_equal "$got" "$want"
	assert_equal "$(wc -l <<<"$got")" 10
	assert_line --regexp $'^10\\.9\\.0\\.50\t02:00:00:09:00:5[01]\t[0-9.]+ ms\t\\(DUP: 2\\) address conflict$'
	assert_line --regexp '^254 addresses scanned in [0-9.]+ s \([0-9]+ probes\): 9 responded, 1 address conflict\(s\)$'
	# 254 addresses at 1000/s plus three 0.25 s windows: well under 3 s
	run_t 20 -0 lab_exec c "$ARPING" --scan 10.9.0.0/24 --rate 2000 --retries 1 --timeout 0.2 --json
	run jq -e -s '(.[-1].type == "summary") and (.[-1].responded == 9) and (.[-1].time_ms < 2500) and ([.[] | select(.type == "host" and .conflict)] | length == 1)' <<<"$output"
	assert_success
}

@test "--json: one valid object per event, conflict and summary fields" {
	run_t 10 -0 lab_exec c "$ARPING" --json -c 2 -i 0.3 -I lan 10.9.0.50
	run jq -e -s '([.[] | select(.type == "reply")] | length >= 2)
		and ([.[] | select(.type == "conflict")] | length == 1)
		and (.[-1].type == "summary" and .[-1].conflict == true and (.[-1].macs | length) == 2
		     and .[-1].sent == 2 and .[-1].exit_code == 0 and (.[-1].rtt_min_ms | type) == "number")' <<<"$output"
	assert_success
	run_t 10 -1 lab_exec c "$ARPING" --json -D -c 1 -I lan 10.9.0.2
	run jq -e -s '.[-1].mode == "dad" and .[-1].received == 1 and .[-1].exit_code == 1' <<<"$output"
	assert_success
}

@test "-v decodes each frame; --pcap writes Ethernet frames tcpdump reads" {
	local pcap=$LAB_DIR/arping.pcap
	run_t 10 -0 lab_exec c "$ARPING" -v -c 1 --pcap "$pcap" 10.9.0.2
	assert_output --regexp 'sent broadcast 42 bytes'
	assert_output --partial "ETH    dst ff:ff:ff:ff:ff:ff, src 02:00:00:09:00:01, type 0x0806 (ARP)"
	assert_output --partial "op 1 (request)"
	assert_output --regexp 'recv unicast [0-9]+ bytes'
	assert_output --partial "sender 02:00:00:09:00:02 10.9.0.2"
	run_t 10 -0 tcpdump -n -e -r "$pcap"
	assert_output --partial "Request who-has 10.9.0.2 (ff:ff:ff:ff:ff:ff) tell 10.9.0.1"
	assert_output --partial "Reply 10.9.0.2 is-at 02:00:00:09:00:02"
	assert_output --regexp 'link-type EN10MB'
}

@test "unprivileged with cap_net_raw+p: works, CapEff is 0 while it runs; without the capability: exit 2" {
	lab_user
	local bin
	bin=$(lab_capbin "$ARPING" cap_net_raw+p)
	run_t 10 -0 lab_as c bash -c "$bin -c 3 -i 0.3 10.9.0.2 >/dev/null & sleep 0.4; grep CapEff /proc/\$!/status; wait \$!"
	assert_output --regexp 'CapEff:[[:space:]]+0+$'
	run_t 10 -0 lab_as c "$bin" -c 1 10.9.0.2
	assert_line "Received 1 response(s)"
	bin=$(lab_capbin "$ARPING" "" arping-nocap)
	run_t 10 -2 --separate-stderr lab_as c "$bin" -c 1 10.9.0.2
	assert_equal "$stderr" "$bin: socket: Operation not permitted (need CAP_NET_RAW)"
}

@test "hostile frames (truncated, wrong lengths, spoofed sender, other MAC) are ignored and counted" {
	lab_bg h2 python3 "$PEERS/arping-hostile" lan 10.9.0.1 02:00:00:09:00:01 10.9.0.2
	sleep 0.3
	run_t 10 -0 lab_exec c "$ARPING" --json -c 3 -i 0.2 10.9.0.2
	run jq -e -s '.[-1].received == 3 and .[-1].ignored >= 3 and ([.[] | select(.type == "reply") | .mac] | unique == ["02:00:00:09:00:02"])' <<<"$output"
	assert_success
}

@test "usage errors exit 2 with one line; -h exits 0; -V; unknown host, device and source" {
	run_t 5 -2 --separate-stderr "$ARPING" -c abc 10.9.0.2
	assert_equal "$stderr" "$ARPING: invalid argument: 'abc'"
	run_t 5 -2 --separate-stderr "$ARPING" -c 0 10.9.0.2
	assert_equal "$stderr" "$ARPING: invalid argument: '0': out of range: 1 <= value <= 2147483647"
	run_t 5 -2 --separate-stderr "$ARPING"
	assert_equal "$stderr" "$ARPING: usage error: Destination address required"
	run_t 5 -2 --separate-stderr "$ARPING" -s bogus 10.9.0.2
	assert_equal "$stderr" "$ARPING: invalid source bogus"
	run_t 5 -2 --separate-stderr "$ARPING" --scan 10.0.0.0/8
	assert_equal "$stderr" "$ARPING: --scan 10.0.0.0/8: too large (at most a /16)"
	run_t 5 -0 "$ARPING" -h
	assert_output --partial "-D            duplicate address detection mode"
	run_t 5 -0 "$ARPING" -V
	assert_output --regexp '^arping \(netdiag\) '
	run_t 5 -2 --separate-stderr lab_exec c "$ARPING" -I nosuch 10.9.0.2
	assert_equal "$stderr" "$ARPING: Device nosuch not available."
	run_t 10 -2 --separate-stderr lab_exec c "$ARPING" -c 1 no-such-host.invalid
	assert_output ""
	[[ $stderr == "$ARPING: no-such-host.invalid: "* ]]
	run_t 5 -2 --separate-stderr lab_exec c "$ARPING" -c 1 -s 10.9.0.200 10.9.0.2
	assert_equal "$stderr" "$ARPING: bind: Cannot assign requested address"
}
