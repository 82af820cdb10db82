#!/usr/bin/env bats
# tests/30-tcpprobe.bats - tcpprobe end to end in a namespace lab
# (tests/lib/tcpprobe.bash): a real socat listener, the kernel's RST for a
# closed port, nft drop, an ICMP admin-prohibited from the router, an ICMP
# port unreachable from the server, a router clamping the MSS, a host behind
# a 5 ms vde2 link; IPv4 and IPv6; raw and --connect; nmap -sS/-sT and
# hping3 -S side by side.  The lab is built once per file.

bats_require_minimum_version 1.5.0

load lib/lab
load lib/tcpprobe

setup_file() {
	if [[ $EUID -ne 0 ]]; then
		echo "30-tcpprobe.bats needs root (network namespaces)" >&2
		return 1
	fi
	lab_init
	tp_lab_build
	export LAB_PREFIX LAB_DIR TP_CLIENT TP_SERVER TP_ROUTER TP_FAR TP_BIN
}

teardown_file() {
	lab_cleanup --force
}

teardown() {
	lab_teardown
}

# _classes: "PORT CLASS REASON" for every result row in $output
_classes() {
	awk '$2 ~ /^(open|closed|filtered)$/ { n = split($1, a, ":"); print a[n], $2, $3 }' <<<"$output" | sort
}

# The lab's expected answer for 8080-8084.
_expected() {
	printf '%s\n' "8080 open syn-ack" "8081 closed rst" "8082 filtered timeout" \
		"8083 filtered icmp" "8084 filtered icmp"
}

@test "raw IPv4: open, closed, dropped, admin-prohibited from the router, port unreachable from the host" {
	run_t 10 -0 lab_exec client "$TP_BIN" -n 10.30.2.2 8080-8084
	diff <(_classes) <(_expected)
	assert_line --regexp '^10\.30\.2\.2:8080 open  syn-ack  time=[0-9.]+ ms  win=[0-9]+ mss=1460 sack ts wscale=[0-9]+$'
	assert_line --regexp '^10\.30\.2\.2:8081 closed  rst  time=[0-9.]+ ms$'
	assert_line '10.30.2.2:8082 filtered  timeout'
	assert_line --regexp '^10\.30\.2\.2:8083 filtered  icmp 3/13 \(communication administratively prohibited\) from 10\.30\.1\.1  time=[0-9.]+ ms$'
	assert_line --regexp '^10\.30\.2\.2:8084 filtered  icmp 3/3 \(port unreachable\) from 10\.30\.2\.2  time=[0-9.]+ ms$'
	assert_line '--- 10.30.2.2 tcpprobe statistics ---'
	assert_line '5 probes sent, 4 answered, 20% loss'
	assert_line 'ports: 1 open, 1 closed, 3 filtered'
	assert_line --regexp '^rtt min/avg/max/mdev = [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3} ms$'
	# rows are printed as soon as decided: the timeout comes last
	[[ ${lines[4]} == '10.30.2.2:8082 filtered  timeout' ]]
}

@test "raw IPv6: the same classes through the same path" {
	run_t 10 -0 lab_exec client "$TP_BIN" -n fd30:2::2 8080-8084
	diff <(_classes) <(_expected)
	assert_line --regexp '^\[fd30:2::2\]:8080 open  syn-ack  time=[0-9.]+ ms  win=[0-9]+ mss=1440 sack ts wscale=[0-9]+$'
	assert_line --regexp '^\[fd30:2::2\]:8081 closed  rst  time='
	assert_line --regexp '^\[fd30:2::2\]:8083 filtered  icmp 1/1 \(administratively prohibited\) from fd30:1::1  time='
	assert_line --regexp '^\[fd30:2::2\]:8084 filtered  icmp 1/4 \(port unreachable\) from fd30:2::2  time='
	assert_line '--- fd30:2::2 tcpprobe statistics ---'
}

@test "--connect gives the same class and reason as raw SYNs (v4 and v6), port unreachable included" {
	local addr
	for addr in 10.30.2.2 fd30:2::2; do
		run_t 10 -0 lab_exec client "$TP_BIN" -n --connect "$addr" 8080-8084
		diff <(_classes) <(_expected)
		assert_line --regexp ':8084 filtered  icmp [0-9]+/[0-9]+ \(port unreachable\) from '
		assert_line --regexp ':8083 filtered  icmp [0-9]+/[0-9]+ \(.*administratively prohibited\) from '
	done
}

@test "nmap -sS agrees on every port; nmap -sT calls the port unreachable closed, we do not" {
	run_t 30 -0 lab_exec client nmap -sS -n -Pn --reason -p 8080-8084 10.30.2.2
	local nmap_out=$output
	grep -q '^8080/tcp open ' <<<"$nmap_out"
	grep -q '^8081/tcp closed ' <<<"$nmap_out"
	grep -q '^8082/tcp filtered .*no-response' <<<"$nmap_out"
	grep -q '^8083/tcp filtered .*admin-prohibited' <<<"$nmap_out"
	grep -q '^8084/tcp filtered .*port-unreach' <<<"$nmap_out"
	run_t 30 -0 lab_exec client nmap -sT -n -Pn --reason -p 8084 10.30.2.2
	assert_line --regexp '^8084/tcp closed '
	run_t 10 ! lab_exec client "$TP_BIN" -n --connect 10.30.2.2 8084
	assert_line --regexp '^10\.30\.2\.2:8084 filtered  icmp 3/3 '
}

@test "hping3 -S sees SA on the open port and RA on the closed one; tcpprobe says open and closed" {
	run_t 10 -0 lab_exec client hping3 -n -S -p 8080 -c 2 -i u200000 10.30.2.2
	assert_output --partial 'flags=SA'
	run_t 10 -0 lab_exec client hping3 -n -S -p 8081 -c 2 -i u200000 10.30.2.2
	assert_output --partial 'flags=RA'
	run_t 10 -0 lab_exec client "$TP_BIN" -n -c 2 -i 0.2 10.30.2.2 8080
	assert_line '2 probes sent, 2 answered, 0% loss'
	run_t 10 -1 lab_exec client "$TP_BIN" -n -c 2 -i 0.2 10.30.2.2 8081
	assert_line '2 probes sent, 2 answered, 0% loss'
	assert_line 'ports: 0 open, 1 closed, 0 filtered'
	refute_line --partial 'rtt min/avg/max/mdev'
}

@test "-c/-i over the 5 ms link: statistics as ping prints them, RTT close to ping's" {
	run_t 20 -0 lab_exec client ping -n -c 5 -i 0.2 10.30.3.2
	local ping_avg
	ping_avg=$(awk -F'[/ ]' '/^rtt/ { print $8 }' <<<"$output")
	run_t 20 -0 lab_exec client "$TP_BIN" -n -c 5 -i 0.2 10.30.3.2 8080
	[[ $(grep -c '^10\.30\.3\.2:8080 open  syn-ack  time=1[0-9]\.[0-9] ms  win=' <<<"$output") -eq 5 ]]
	assert_line '5 probes sent, 5 answered, 0% loss'
	assert_line 'ports: 1 open, 0 closed, 0 filtered'
	local avg
	avg=$(awk -F'[/ ]' '/^rtt min/ { print $8 }' <<<"$output")
	# wire RTT ~10.4-11 ms; both must be on it (generous: a loaded machine)
	awk -v a="$avg" -v p="$ping_avg" 'BEGIN { d = a - p; if (d < 0) d = -d; exit !(a > 10 && a < 20 && d < 3) }'
	run_t 20 -0 lab_exec client "$TP_BIN" -n -c 2 -i 0.2 fd30:3::2 8080
	assert_line '2 probes sent, 2 answered, 0% loss'
}

@test "-S: SYN seq=x, SYN-ACK ack=x+1 verified, options decoded, MSS clamping flagged, RST" {
	run_t 10 -0 lab_exec client "$TP_BIN" -n -S -c 2 -i 0.1 10.30.2.2 8087
	local seqs acks
	seqs=$(awk '/^SYN / { sub("seq=", "", $5); printf "%.0f\n", $5 + 1 }' <<<"$output")
	acks=$(awk '/^SYN-ACK / { sub("ack=", "", $6); print $6 }' <<<"$output")
	[[ -n $seqs && $(wc -l <<<"$seqs") -eq 2 ]]
	# ack = ISN + 1 (mod 2^32) for each probe; the two ISNs differ (random)
	diff <(awk '{ printf "%.0f\n", $1 % 4294967296 }' <<<"$seqs") <(echo "$acks")
	[[ $(sort -u <<<"$seqs" | wc -l) -eq 2 ]]
	assert_line --regexp '^SYN-ACK  10\.30\.2\.2:8087 > 10\.30\.1\.2:[0-9]+  seq=[0-9]+ ack=[0-9]+ \(our seq \+ 1: verified\)  win=[0-9]+  \[SYN ACK\]$'
	assert_line --regexp '^         options: MSS 1200; SACK permitted; timestamps val=[0-9]+ ecr=[0-9]+; window scale [0-9]+ \(x[0-9]+\)$'
	assert_line '         MSS 1200 differs from ours (1460): MSS clamping on the path, or a smaller MTU at the peer'
	assert_line --regexp '^RST      10\.30\.1\.2:[0-9]+ > 10\.30\.2\.2:8087  seq=[0-9]+  \(sent by our kernel'
	assert_line --regexp '^10\.30\.2\.2:8087 open  syn-ack  time=[0-9.]+ ms  win=[0-9]+ mss=1200 '
	# and no clamping on the other port
	run_t 10 -0 lab_exec client "$TP_BIN" -n -S 10.30.2.2 8080
	refute_line --partial 'MSS clamping'
}

@test "no half-open or established connection left on the server after raw probes" {
	run_t 10 -0 lab_exec client "$TP_BIN" -n -c 10 -i 0.02 10.30.2.2 8080,8087
	assert_line '20 probes sent, 20 answered, 0% loss'
	run_t 10 -0 lab_exec client "$TP_BIN" -n -c 3 -i 0.02 fd30:2::2 8080
	run_t 5 -0 lab_exec server ss -Htan state syn-recv state established
	assert_output ''
}

@test "a range paced by --rate: every port classified, a row each, summary counts" {
	run_t 20 -0 lab_exec client "$TP_BIN" -n --rate 2000 10.30.2.2 8000-8099
	[[ $(grep -c '^10\.30\.2\.2:80[0-9][0-9] ' <<<"$output") -eq 100 ]]
	assert_line '100 probes sent, 99 answered, 1% loss'
	assert_line 'ports: 2 open, 95 closed, 3 filtered'
	assert_line --regexp '^10\.30\.2\.2:8087 open  syn-ack'
}

@test "-t 1: the router's time exceeded is the reason" {
	run_t 10 -1 lab_exec client "$TP_BIN" -n -t 1 10.30.2.2 8080
	assert_line --regexp '^10\.30\.2\.2:8080 filtered  icmp 11/0 \(ttl exceeded in transit\) from 10\.30\.1\.1  time='
	assert_line '1 probes sent, 1 answered, 0% loss'
}

@test "exit codes: 1 when nothing is open, 2 for an unknown host, a route-less address, usage errors" {
	run_t 10 -1 lab_exec client "$TP_BIN" -n 10.30.2.2 8081,8082
	run_t 10 -2 lab_exec client "$TP_BIN" -n no.such.host.invalid 80
	[[ ${#lines[@]} -eq 1 ]]
	# the router has no default route
	run_t 10 -2 lab_exec router "$TP_BIN" -n 10.99.0.1 80
	assert_output "$TP_BIN: connect: Network is unreachable"
	local bad
	for bad in "10.30.2.2 0" "10.30.2.2 70000" "10.30.2.2 90-80" "10.30.2.2 80,,81" "--rate 0 10.30.2.2" \
		"--rate 1000000 10.30.2.2" "-c 0 10.30.2.2" "-W x 10.30.2.2" "-t 0 10.30.2.2" "-4 -6 10.30.2.2" \
		"" "10.30.2.2 80 81" "--bogus 10.30.2.2"; do
		# shellcheck disable=SC2086
		run_t 5 -2 --separate-stderr lab_exec client "$TP_BIN" $bad
		[[ ${#stderr_lines[@]} -eq 1 ]]
		[[ ${stderr_lines[0]} == "$TP_BIN: "* ]]
		assert_output ''
	done
	run_t 5 -0 "$TP_BIN" -h
	assert_output --partial 'Usage'
	run_t 5 -0 "$TP_BIN" -V
	assert_output --regexp '^tcpprobe \(netdiag\) '
}

@test "unprivileged without caps: falls back to --connect with a note, same answers" {
	lab_user
	local bin
	bin=$(lab_capbin "$TP_BIN" "" tcpprobe-nocap)
	run_t 10 -0 --separate-stderr lab_as client "$bin" -n 10.30.2.2 8080-8084
	diff <(_classes) <(_expected)
	[[ $stderr == *"no raw socket"*"using --connect"* ]]
	run_t 10 -0 lab_as client "$bin" -n fd30:2::2 8080
}

@test "unprivileged with cap_net_raw: raw SYNs, and CapEff is 0 while it runs" {
	lab_user
	local bin pid
	bin=$(lab_capbin "$TP_BIN" cap_net_raw+p tcpprobe-cap)
	lab_bg client setpriv --reuid="$LAB_USER_UID" --regid="$LAB_USER_GID" --clear-groups \
		"$bin" -n -S -W 3 10.30.2.2 8080,8082
	lab_wait 5 pgrep -f "$bin -n -S -W 3"
	pid=$(pgrep -f "$bin -n -S -W 3" | tail -1)
	sleep 0.3
	grep -q '^CapEff:[[:space:]]*0\{16\}$' "/proc/$pid/status"
	grep -q '^CapPrm:[[:space:]]*0\{16\}$' "/proc/$pid/status"
	lab_wait 6 bash -c "! kill -0 $pid 2>/dev/null"
	grep -q '^SYN ' "$LAB_LOG"
	grep -q '^10.30.2.2:8080 open  syn-ack' "$LAB_LOG"
	! grep -q 'using --connect' "$LAB_LOG"
}

@test "--json: one valid object per probe, then the summary" {
	run_t 10 -0 --separate-stderr lab_exec client "$TP_BIN" -n --json 10.30.2.2 8080,8081,8083
	[[ ${#lines[@]} -eq 4 ]]
	local l
	for l in "${lines[@]}"; do jq -e . <<<"$l" >/dev/null; done
	jq -se 'map(select(.port == 8080))[0] | .type == "probe" and .state == "open" and .reason == "syn-ack" and .rtt_ms > 0 and .mss == 1460 and .sack == true' <<<"$output"
	jq -se 'map(select(.port == 8083))[0] | .state == "filtered" and .reason == "icmp" and .icmp_type == 3 and .icmp_code == 13 and .from == "10.30.1.1"' <<<"$output"
	jq -e '.type == "summary" and .sent == 3 and .answered == 3 and .open == 1 and .closed == 1 and .filtered == 1 and .rtt_avg_ms > 0' <<<"${lines[3]}"
}

@test "-v decodes every packet; --pcap writes what tcpdump reads back" {
	run_t 10 -0 lab_exec client "$TP_BIN" -n -v --pcap "$LAB_DIR/tp.pcap" 10.30.2.2 8080
	assert_line --regexp '^\[ *[0-9.]+ ms\] sent 60 bytes'
	assert_line --regexp 'options MSS 1460, SACK-permitted, TS val [0-9]+ ecr 0, NOP, window scale 7'
	assert_line --regexp '^\[ *[0-9.]+ ms\] recv 60 bytes'
	assert_line --regexp 'flags SYN ACK'
	run_t 10 -0 tcpdump -nr "$LAB_DIR/tp.pcap"
	assert_line --regexp 'IP 10\.30\.1\.2\.[0-9]+ > 10\.30\.2\.2\.8080: Flags \[S\]'
	assert_line --regexp 'IP 10\.30\.2\.2\.8080 > 10\.30\.1\.2\.[0-9]+: Flags \[S\.\]'
	run_t 10 -0 lab_exec client "$TP_BIN" -n --pcap "$LAB_DIR/tp6.pcap" fd30:2::2 8080
	run_t 10 -0 tcpdump -nr "$LAB_DIR/tp6.pcap"
	assert_line --regexp 'IP6 fd30:2::2\.8080 > fd30:1::2\.[0-9]+: Flags \[S\.\]'
}
