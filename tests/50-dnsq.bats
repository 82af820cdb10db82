#!/usr/bin/env bats
# tests/50-dnsq.bats - dnsq walks a private DNS hierarchy served by real nsd
# instances (tests/lib/dnsq.bash: root, TLDs, child zones, a REFUSED server,
# a silent one) and a hostile responder (tests/peers/dnsq-hostile.py), all in
# lab namespaces with no route out.  Built once per file in setup_file.

bats_require_minimum_version 1.5.0

load lib/lab
load lib/dnsq

setup_file() {
	if [[ $EUID -ne 0 ]]; then
		echo "50-dnsq.bats needs root (network namespaces)" >&2
		return 1
	fi
	lab_init
	dnsq_lab_up
	export LAB_PREFIX LAB_DIR DNSQ DNSQ_HINTS
}

teardown_file() {
	lab_cleanup --force
}

teardown() {
	lab_teardown
}

# q SECS EXPECTED-STATUS ARGS...: dnsq from the client with the private hints
q() {
	local secs=$1 st=$2
	shift 2
	run_t "$secs" "$st" --separate-stderr lab_exec client "$DNSQ" --root-hints "$DNSQ_HINTS" "$@"
}

@test "answer through in-bailiwick glue: dig-like line, trace labels and provenance" {
	q 10 -0 www.example.lab
	[[ $output == "www.example.lab.	3600	IN	A	192.0.2.80" ]]
	q 10 -0 -T www.example.lab
	[[ ${lines[0]} == ";; step 1: A.ROOT-SERVERS.LAB. 10.53.0.1 (root hint) udp: www.example.lab. A" ]]
	[[ ${lines[1]} =~ ^';;   referral to lab. in '[0-9.]+' ms: NOERROR, flags qr, '[0-9]+' bytes'$ ]]
	[[ $output == *";; step 2: ns1.nic.lab. 10.53.0.2 (glue) udp: www.example.lab. A"* ]]
	[[ $output == *"ns1.example.lab.	3600	IN	A	10.53.0.3	; glue"* ]]
	[[ $output == *";; step 3: ns1.example.lab. 10.53.0.3 (glue) udp"*"answer in "*"flags qr aa"* ]]
	[[ ${lines[-2]} == "www.example.lab.	3600	IN	A	192.0.2.80" ]]
	[[ ${lines[-1]} =~ ^';; 3 queries, ' ]]
}

@test "glueless NS: resolved by its own walk, shown as an indented sub-trace" {
	q 10 -0 -T www.oob.lab
	[[ $output == *";;   ns.provider.test. is an NS of oob.lab. without glue: resolving its A"* ]]
	[[ $output == *";;   step 3: A.ROOT-SERVERS.LAB. 10.53.0.1 (root hint) udp: ns.provider.test. A"* ]]
	[[ $output == *";;   ns.provider.test. A: 10.53.0.4 (resolved)"* ]]
	[[ ${lines[-2]} == "www.oob.lab.	3600	IN	A	192.0.2.81" ]]
	[[ ${lines[-1]} =~ ^';; 6 queries' ]]
}

@test "CNAME across zones is followed; a chain of 8 resolves, 20 fails, a loop is caught" {
	q 10 -0 alias.example.lab
	[[ ${lines[0]} == "alias.example.lab.	3600	IN	CNAME	www.oob.lab." ]]
	[[ ${lines[1]} == "www.oob.lab.	3600	IN	A	192.0.2.81" ]]
	q 10 -0 -s a0.example.lab
	[[ ${#lines[@]} -eq 9 && ${lines[-1]} == 192.0.2.88 ]]
	q 10 -2 b0.example.lab
	[[ $stderr == *"b0.example.lab. A: more than 16 CNAME links" ]]
	[[ -z $output ]]
	q 10 -2 loop1.example.lab
	[[ $stderr == *"loop1.example.lab. A: CNAME loop at loop1.example.lab." ]]
}

@test "a REFUSED server beside a good one is skipped; alone it fails with exit 2" {
	q 10 -0 -T www.mixed.lab
	[[ $output == *";; step 3: ns0.mixed.lab. 10.53.0.6 (glue) udp: www.mixed.lab. A"*";;   refused in "*"REFUSED"* ]]
	[[ ${lines[-2]} == "www.mixed.lab.	3600	IN	A	192.0.2.82" ]]
	q 10 -2 www.lame.lab
	[[ $stderr == *"www.lame.lab. A: every server failed (last: ns1.lame.lab. (10.53.0.6): refused)" ]]
}

@test "a silent server times out (with retry and backoff) and the next NS answers" {
	q 10 -0 -T --timeout 0.2 --retries 1 www.slow.lab
	[[ $output == *";;   timeout after 200 ms"*";;   timeout after 400 ms"*";; step 5: ns1.slow.lab. 10.53.0.3"* ]]
	[[ ${lines[-2]} == "www.slow.lab.	3600	IN	A	192.0.2.83" ]]
	q 10 -2 --timeout 0.2 --retries 0 www.dead.lab
	[[ $stderr == *"every server failed (last: ns1.dead.lab. (10.53.0.7): timeout)" ]]
}

@test "TXT too big for UDP: TC=1, retried over TCP" {
	q 10 -0 -T big.example.lab TXT
	[[ $output == *";;   truncated → tcp in "*"flags qr aa tc"* ]]
	[[ $output == *";; step 4: ns1.example.lab. 10.53.0.3 (glue) tcp: big.example.lab. TXT"* ]]
	[[ ${lines[-2]} == "big.example.lab.	3600	IN	TXT	\"1xxx"*"\" \"8xxx"*'"' ]]
}

@test "NXDOMAIN and NODATA: the SOA, exit 1" {
	q 10 -1 nx.example.lab
	[[ ${lines[0]} == ";; NXDOMAIN: nx.example.lab. does not exist" ]]
	[[ ${lines[1]} == "example.lab.	300	IN	SOA	ns1.example.lab. hostmaster.lab. 2024010101 3600 900 604800 300" ]]
	q 10 -1 txtonly.example.lab
	[[ ${lines[0]} == ";; NODATA: txtonly.example.lab. has no A records" ]]
	q 10 -1 -T www.oob.lab AAAA
	[[ $output == *";;   nodata in "* ]]
}

@test "every record type in presentation format" {
	local -a cases=(
		"www.example.lab AAAA|2001:db8::80"
		"example.lab NS|ns1.example.lab."
		"example.lab MX|10 mail.example.lab."
		"example.lab TXT|\"v=spf1 -all\""
		"example.lab SOA|ns1.example.lab. hostmaster.lab. 2024010101 3600 900 604800 300"
		"_sip._tcp.example.lab SRV|10 5 5060 www.example.lab."
		"example.lab CAA|0 issue \"ca.lab\""
		"signed.example.lab DS|12345 13 2 3490A6806D47F17A34C29E2CE80E8A999FFBE4BE7B6C4B8E7E1F3C64F2B3D1F5"
		"example.lab DNSKEY|257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="
		"unknown.example.lab TYPE65534|\\# 4 DEADBEEF"
		"alias.example.lab CNAME|www.oob.lab."
	)
	local c
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		q 10 -0 -s ${c%%|*}
		[[ $output == "${c#*|}" ]] || { echo "for ${c%%|*}: got '$output'"; return 1; }
	done
}

@test "-x: the reverse zone, delegated without glue" {
	q 10 -0 -x 192.0.2.80
	[[ $output == "80.2.0.192.in-addr.arpa.	3600	IN	PTR	www.example.lab." ]]
}

@test "-6: the whole walk over IPv6" {
	q 10 -0 -6 -T www.example.lab AAAA
	[[ ${lines[0]} == ";; step 1: A.ROOT-SERVERS.LAB. fd53::1 (root hint) udp: www.example.lab. AAAA" ]]
	[[ $output == *"ns1.example.lab. fd53::3 (glue) udp"* ]]
	! [[ $output == *" 10.53.0."*"(glue) udp"* ]]
	[[ ${lines[-2]} == "www.example.lab.	3600	IN	AAAA	2001:db8::80" ]]
}

@test "hostile: out-of-bailiwick glue is ignored and said so; the impostor is never asked" {
	: >"$LAB_DIR/dns/evil.log"
	q 10 -2 -T www.evil
	[[ $output == *";;   ignored out-of-bailiwick A for ns1.example.lab. from ns.evil."* ]]
	[[ $output == *"ns1.example.lab. A: 10.53.0.3 (resolved)"* ]]
	[[ $output != *6.6.6.6* ]]
	! grep -q impostor "$LAB_DIR/dns/evil.log"
}

@test "hostile: wrong ID, port, address, question, compression loop, truncation: the true answer wins" {
	q 10 -0 -T ids.evil
	local why
	for why in "wrong ID" "#5353: wrong source port" "10.53.0.9#53: wrong source address" \
		"question does not match" "malformed (compression pointer loop or forward pointer)" \
		"malformed (message truncated)"; do
		[[ $output == *"ignored packet from "*"$why"* ]] || { echo "missing: $why"; return 1; }
	done
	[[ ${lines[-2]} == "ids.evil.	300	IN	A	192.0.2.99" ]]
	q 10 -2 --timeout 0.5 --retries 0 mute.evil
	[[ $stderr == *"mute.evil. A: every server failed (last: ns.evil. (10.53.0.8): timeout)" ]]
}

@test "hostile: unrelated answer records are not believed, not even by a later name (-f)" {
	printf 'poison.evil\n\n# comment\nwww.example.lab\nwww.oob.lab AAAA\nnx.oob.lab\n' >"$LAB_DIR/batch"
	q 20 -1 -T -f "$LAB_DIR/batch"
	[[ $output == *";;   ignored unrelated A for www.example.lab. from ns.evil."* ]]
	[[ $output == *$'\nwww.example.lab.\t3600\tIN\tA\t192.0.2.80\n'* ]]
	[[ $output != *"IN	A	6.6.6.6"* ]]
	# later names start from what earlier ones learned
	[[ $output == *";; starting at oob.lab., remembered from an earlier name"* ]]
	[[ $output == *"(remembered glue)"* ]]
	[[ $output == *";; NXDOMAIN: nx.oob.lab. does not exist"* ]]
}

@test "FORMERR to EDNS: retried without EDNS" {
	q 10 -0 -T formerr.evil
	[[ $output == *";;   formerr (FORMERR)"*"udp no-edns: formerr.evil. A"*"answer in "* ]]
}

@test "limits: referrals, queries, time: reported, exit 2, no hang" {
	q 15 -2 "$(printf 'l%d.' {1..40})deep.evil"
	[[ $stderr == *": more than 32 referrals" ]]
	q 10 -2 --max-queries 2 www.example.lab
	[[ $stderr == *"www.example.lab. A: query budget exhausted" ]]
	q 10 -2 --max-time 0.5 --timeout 3 www.dead.lab
	[[ $stderr == *"www.dead.lab. A: time budget exhausted" ]]
	q 10 -2 www.circ.lab
	[[ $stderr == *"every server failed"* ]]
}

@test "@SERVER: one non-recursive query, dig-like, exit 0/1/2" {
	run_t 10 -0 lab_exec client "$DNSQ" @10.53.0.3 www.example.lab
	[[ $output == *";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: "* ]]
	[[ $output == *";; flags: qr aa; QUERY: 1, ANSWER: 1,"* ]]
	[[ $output == *$'\n;; ANSWER SECTION:\nwww.example.lab.\t3600\tIN\tA\t192.0.2.80\n'* ]]
	[[ $output == *";; SERVER: 10.53.0.3#53(10.53.0.3) (UDP)"* ]]
	run_t 10 -0 lab_exec client "$DNSQ" @10.53.0.1 www.example.lab
	[[ $output == *"AUTHORITY SECTION:"*"lab.	3600	IN	NS	ns1.nic.lab."* ]]
	run_t 10 -1 lab_exec client "$DNSQ" @10.53.0.3 nx.example.lab
	run_t 10 -2 lab_exec client "$DNSQ" @10.53.0.6 www.example.lab
	[[ $output == *"status: REFUSED"* ]]
	run_t 10 -2 lab_exec client "$DNSQ" --timeout 0.2 --retries 0 @10.53.0.7 www.example.lab
	run_t 10 -0 lab_exec client "$DNSQ" -s @fd53::3 big.example.lab TXT
	[[ $output == '"1xxx'* ]]
}

@test "--json: a step per query, answers, then the summary" {
	q 10 -0 --json alias.example.lab
	local l
	for l in "${lines[@]}"; do jq -e . <<<"$l" >/dev/null; done
	[[ $(jq -r 'select(.type=="step") | .classification' <<<"$output" | tr '\n' ' ') == \
		"referral referral cname referral referral referral answer answer " ]]
	jq -se 'map(select(.type=="step" and .step==5))[0] | .depth == 1 and .provenance == "root hint"' <<<"$output"
	jq -se 'map(select(.type=="answer" and .rrtype=="A"))[0] | .data == "192.0.2.81"' <<<"$output"
	jq -se '.[-1] | .type == "summary" and .outcome == "answer" and .queries == 8 and .error == null' <<<"$output"
	q 10 -2 --json www.lame.lab
	jq -se 'map(select(.type=="step" and .classification=="refused"))[0] | .rcode == "REFUSED"' <<<"$output"
	jq -se '.[-1] | .outcome == "servfail" and (.error | test("refused"))' <<<"$output"
}

@test "-v decodes every packet; --pcap writes them for tcpdump" {
	q 10 -0 -v --pcap "$LAB_DIR/dnsq.pcap" big.example.lab TXT
	[[ $output == *"sent "*"UDP"*"DNS"*"question big.example.lab. TXT"* ]]
	[[ $output == *"TCP length prefix"* ]]
	run_t 10 -0 tcpdump -nn -r "$LAB_DIR/dnsq.pcap"
	[[ $(grep -c '\.53: ' <<<"$output") -ge 4 ]]
	[[ $output == *"10.53.0.3.53 > 10.53.0.100."* ]]
}

@test "self-contained: never opens resolv.conf, hosts or nsswitch" {
	command -v strace >/dev/null || skip "strace not installed"
	run_t 20 -0 lab_exec client env ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=open,openat -o "$LAB_DIR/strace" \
		"$DNSQ" --root-hints "$DNSQ_HINTS" www.oob.lab
	! grep -E 'resolv\.conf|/etc/hosts|nsswitch' "$LAB_DIR/strace"
}

@test "unprivileged user: works with no capability; CapEff and CapPrm are 0 while it runs" {
	lab_user
	local bin pid
	bin=$(lab_capbin "$DNSQ" "" dnsq)
	cp "$DNSQ_HINTS" "$LAB_DIR/bin/hints" && chmod 644 "$LAB_DIR/bin/hints"
	run_t 10 -0 lab_as client "$bin" --root-hints "$LAB_DIR/bin/hints" -s www.oob.lab
	[[ $output == 192.0.2.81 ]]
	lab_bg client setpriv --reuid="$LAB_USER_UID" --regid="$LAB_USER_GID" --clear-groups \
		"$bin" --root-hints "$LAB_DIR/bin/hints" --timeout 2 --retries 0 www.dead.lab
	lab_wait 5 pgrep -f "$bin --root-hints"
	pid=$(pgrep -f "$bin --root-hints" | tail -1)
	grep -q '^CapEff:[[:space:]]*0\{16\}$' "/proc/$pid/status"
	grep -q '^CapPrm:[[:space:]]*0\{16\}$' "/proc/$pid/status"
}

@test "--all-servers: a consistent zone reports every server and no disagreement, exit 0" {
	q 20 -0 --all-servers www.example.lab
	[[ ${lines[0]} =~ ^';; servers of every zone on the path of www.example.lab. A: 3 zones, 6 addresses, 18 queries'$ ]]
	[[ $output == *$'\n;; zone .\n;;   a.root-servers.lab. 10.53.0.1: NS a.root-servers.lab.; SOA 2024010101; referral to lab. ns1.nic.lab.\n'* ]]
	[[ $output == *";; zone example.lab. (delegated by lab.)"$'\n'";;   ns1.example.lab. 10.53.0.3: NS ns1.example.lab.; SOA 2024010101; answer A 192.0.2.80"* ]]
	[[ $output == *";;   ns1.example.lab. fd53::3: NS ns1.example.lab.; SOA 2024010101; answer A 192.0.2.80"* ]]
	[[ $output == *$'\n;; disagreements: none\nwww.example.lab.\t3600\tIN\tA\t192.0.2.80' ]]
	# consistent NXDOMAIN: exit 1
	q 20 -1 --all-servers nx.example.lab
	[[ $output == *"answer NXDOMAIN"*";; disagreements: none"* ]]
}

@test "--all-servers: two servers with different SOA serials and answers (two nsd)" {
	q 20 -2 --all-servers www.split.lab
	[[ $output == *";;   ns1.split.lab. 10.53.0.3: NS ns1.split.lab. ns2.split.lab.; SOA 2024010101; answer A 192.0.2.84"* ]]
	[[ $output == *";;   ns2.split.lab. 10.53.0.5: NS ns1.split.lab. ns2.split.lab.; SOA 2024010102; answer A 192.0.2.85"* ]]
	[[ $output == *";; disagreements: 2"* ]]
	[[ $output == *";;   soa_serial split.lab.: SOA serials differ: 2024010101 at ns1.split.lab. 10.53.0.3; 2024010102 at ns2.split.lab. 10.53.0.5"* ]]
	[[ $output == *";;   answer split.lab.: answers for www.split.lab. A differ: A 192.0.2.84 at ns1.split.lab. 10.53.0.3; A 192.0.2.85 at ns2.split.lab. 10.53.0.5"* ]]
	[[ $output != *ns_parent_child* ]]
}

@test "--all-servers: the parent's NS set differs from the zone's own; both sides asked" {
	q 20 -2 --all-servers www.drift.lab
	[[ $output == *";;   ns2.drift.lab. 10.53.0.5 [not in the zone's NS set]: NS ns1.drift.lab. ns3.drift.lab.;"* ]]
	[[ $output == *";;   ns3.drift.lab. 10.53.0.5 [not at the parent]: NS ns1.drift.lab. ns3.drift.lab.;"* ]]
	[[ $output == *";; disagreements: 1"$'\n'";;   ns_parent_child drift.lab.: NS set at the parent (lab.) differs from the zone's own: only at the parent: ns2.drift.lab.; only in the zone: ns3.drift.lab."$'\n'* ]]
	[[ ${lines[-1]} == "www.drift.lab.	3600	IN	A	192.0.2.86" ]]
}

@test "--all-servers: lame (no AA), REFUSED and silent servers are named; --json events" {
	q 20 -2 --all-servers --timeout 0.3 --retries 0 www.sick.lab
	[[ $output == *";;   ns1.sick.lab. 10.53.0.3: NS ns1.sick.lab. ns2.sick.lab. ns3.sick.lab. ns4.sick.lab.; SOA 2024010101; answer A 192.0.2.87"* ]]
	[[ $output == *";; disagreements: 3"* ]]
	[[ $output == *";;   lame sick.lab.: ns2.sick.lab. 10.53.0.2: lame (same-zone referral to sick.lab.) (asked NS)"* ]]
	[[ $output == *";;   refused sick.lab.: ns3.sick.lab. 10.53.0.6: refused (asked NS)"* ]]
	[[ $output == *";;   silent sick.lab.: ns4.sick.lab. 10.53.0.7: no reply (1 timeout) (asked NS)"* ]]
	q 20 -2 --all-servers --json --timeout 0.3 --retries 0 www.sick.lab
	local l
	for l in "${lines[@]}"; do jq -e . <<<"$l" >/dev/null; done
	[[ $(jq -r 'select(.type=="server" and .zone=="sick.lab.") | "\(.server) \(.address) \(.status)"' <<<"$output" | tr '\n' ',') == \
		"ns1.sick.lab. 10.53.0.3 ok,ns2.sick.lab. 10.53.0.2 lame,ns3.sick.lab. 10.53.0.6 refused,ns4.sick.lab. 10.53.0.7 silent," ]]
	[[ $(jq -r 'select(.type=="disagreement") | .kind' <<<"$output" | tr '\n' ' ') == "lame refused silent " ]]
	jq -se 'map(select(.type=="server" and .server=="ns1.sick.lab."))[0] | .serial == 2024010101 and .answer == ["A 192.0.2.87"] and .in_parent and .in_zone' <<<"$output"
	jq -se '.[-1] | .type == "summary" and .disagreements == 3 and .servers == 8 and .complete and .outcome == "answer"' <<<"$output"
	# the same zone's walk alone is fine: only --all-servers sees the sick servers
	q 10 -0 -s www.sick.lab
}

@test "--all-servers: its query budget is reported and the run exits 2" {
	q 20 -2 --all-servers --max-queries 5 www.example.lab
	[[ $stderr == *"--all-servers: query budget exhausted after 5 queries; report incomplete"* ]]
	[[ $output == *";; query budget exhausted after 5 queries: report incomplete"* ]]
}

@test "bad usage: one line on stderr, exit 2" {
	run_t 5 -2 --separate-stderr "$DNSQ" www.example.lab BOGUS
	[[ $stderr == *"usage error: unknown type: BOGUS" ]]
	run_t 5 -2 --separate-stderr "$DNSQ" @ns1.example.lab www.example.lab
	[[ $stderr == *"@SERVER must be an IPv4 or IPv6 address"* ]]
	run_t 5 -2 --separate-stderr "$DNSQ" --timeout x www.example.lab
	run_t 5 -2 --separate-stderr "$DNSQ" "a..b"
	[[ $stderr == *"not a valid domain name" ]]
	run_t 5 -2 --separate-stderr "$DNSQ"
	run_t 5 -2 --separate-stderr "$DNSQ" --root-hints /nonexistent x.lab
	run_t 5 -2 --separate-stderr "$DNSQ" --all-servers @10.53.0.3 www.example.lab
	[[ $stderr == *"--all-servers walks from the root; it excludes @SERVER" ]]
	run_t 5 -0 "$DNSQ" --help
	[[ $output == *"Usage: "*"--root-hints FILE"* ]]
	run_t 5 -0 "$DNSQ" -V
	[[ $output == "dnsq (netdiag) "* ]]
}
