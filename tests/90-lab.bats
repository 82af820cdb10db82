#!/usr/bin/env bats
# tests/90-lab.bats - the teaching lab (issue 8): lab/tour.sh (make lab) runs
# every step with its evidence and leaves nothing behind, also when a tool is
# missing (that step fails, loudly) and when interrupted; lab/shell.sh (make
# lab-shell) comes up with the lab's PATH and root hints, runs commands in the
# client namespace and goes down when the shell exits. The lab builds its own
# namespaces (tests/lib/lab.bash), so these tests only watch from outside.

load lib/lab

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
export ND_BUILD=${ND_BUILD:-$ROOT}
TOOLS="ping traceroute arping dhcpc dnsq tcpprobe"

setup_file() {
	[[ $EUID -eq 0 ]] || { echo "90-lab.bats needs root (network namespaces)" >&2; return 1; }
	local t
	for t in $TOOLS; do
		[[ -x $ND_BUILD/$t/$t ]] || { echo "build $t first: $ND_BUILD/$t/$t" >&2; return 1; }
	done
}

# prefix_of TEXT: the lab's namespace prefix, as the tour and the shell print it
prefix_of() {
	grep -Eo 'nd[A-Za-z0-9]{6}_\*' <<<"$1" | head -1 | tr -d '*'
}

# gone PREFIX: no namespace, /etc/netns dir, state dir or process of that lab is left
gone() {
	local p=$1 f
	[[ $p =~ ^nd[A-Za-z0-9]{6}_$ ]] || { echo "no lab prefix found"; return 1; }
	for f in /run/netns/"$p"* /etc/netns/"$p"* "/tmp/netdiag-lab.${p:2:6}"; do
		if [[ -e $f ]]; then echo "left behind: $f"; return 1; fi
	done
	if pgrep -f -- "netdiag-lab.${p:2:6}" >/dev/null; then
		echo "processes left behind:"
		pgrep -a -f -- "netdiag-lab.${p:2:6}"
		return 1
	fi
}

@test "make lab's tour: every tool's step shows its evidence, in under a minute; then nothing is left" {
	local t0=$SECONDS
	run_t 120 -0 "$ROOT/lab/tour.sh"
	local dt=$((SECONDS - t0))
	# six headings, each with two lines of explanation, each tool's command shown
	[[ $(grep -Ec '^== [1-6]\. ' <<<"$output") -eq 6 ]]
	assert_line --regexp '^client\$ ping -c 3 -i 0\.2 server$'
	# ping: TTL 64 - 3 routers
	[[ $(grep -Ec '^64 bytes from server \(10\.8\.3\.10\): icmp_seq=[1-3] ttl=61 time=' <<<"$output") -eq 3 ]]
	assert_line --regexp '^3 packets transmitted, 3 received, 0% packet loss, time [0-9]+ms$'
	# traceroute --mtu: r1, r2 with F=1280, the silent r3, the server, the path MTU
	assert_line --regexp '^client\$ traceroute --mtu server$'
	assert_line --regexp '^ 1  r1 \(10\.8\.1\.1\)  '
	assert_line --regexp '^ 2  r2 \(10\.8\.12\.2\)  .*F=1280'
	assert_line ' 3  * * *'
	assert_line --regexp '^ 4  server \(10\.8\.3\.10\)  '
	assert_line --regexp '^path MTU 1280 \(TCP MSS 1240\)$'
	# arping: two MACs for one address
	assert_line --regexp '^Unicast reply from 10\.8\.1\.30 \[02:00:00:08:01:1E\]  '
	assert_line --regexp '^Unicast reply from 10\.8\.1\.30 \[02:00:00:08:01:2E\]  '
	assert_line --regexp '^Address conflict: 10\.8\.1\.30 is also at \[02:00:00:08:01:[12]E\]'
	# dhcpc: the four messages on the client's LAN interface, then the lease
	assert_line 'dhcpc on lan (02:00:00:08:01:0a)'
	assert_line --regexp '^ +[0-9.]+ ms  DISCOVER xid 0x[0-9a-f]{8}  0\.0\.0\.0:68 -> 255\.255\.255\.255:67 broadcast$'
	assert_line --regexp '^ +[0-9.]+ ms  OFFER    xid 0x[0-9a-f]{8}  10\.8\.1\.2:67 -> .* offered 10\.8\.1\.100  server 10\.8\.1\.2 '
	assert_line --regexp '^ +[0-9.]+ ms  REQUEST  xid 0x[0-9a-f]{8}  .* requested 10\.8\.1\.100  server 10\.8\.1\.2$'
	assert_line --regexp '^ +[0-9.]+ ms  ACK      xid 0x[0-9a-f]{8}  10\.8\.1\.2:67 -> .* address 10\.8\.1\.100  server 10\.8\.1\.2 '
	assert_line --regexp '^lease of 10\.8\.1\.100 obtained from 10\.8\.1\.2, lease time 3600$'
	# dnsq -T: the referrals, the CNAME, the glueless sub-trace, the answer
	assert_line 'client$ dnsq -T --root-hints lab/root.hints www.school.lab'
	assert_line --regexp '^;; step 1: A\.ROOT-SERVERS\.LAB\. 10\.8\.3\.11 \(root hint\) udp: www\.school\.lab\. A$'
	assert_line --regexp '^;;   referral to lab\. in '
	assert_line --regexp '^;;   referral to school\.lab\. in '
	assert_line --regexp '^;;   ns\.hosting\.lab\. is an NS of physics\.school\.lab\. without glue'
	assert_line --regexp '^;;   step [0-9]+: .*: ns\.hosting\.lab\. A$'
	assert_line "$(printf 'www.school.lab.\t3600\tIN\tCNAME\tweb.physics.school.lab.')"
	assert_line "$(printf 'web.physics.school.lab.\t3600\tIN\tA\t10.8.3.10')"
	# tcpprobe -S: ack = ISN + 1, then open / closed / filtered
	local syn ack
	syn=$(grep -Eo '^SYN +[0-9.:]+ > 10\.8\.3\.10:80 +seq=[0-9]+' <<<"$output" | head -1 | sed 's/.*seq=//')
	ack=$(grep -Eo '^SYN-ACK +10\.8\.3\.10:80 > .* ack=[0-9]+' <<<"$output" | head -1 | sed 's/.*ack=//')
	[[ -n $syn && -n $ack ]]
	(((syn + 1) % 4294967296 == ack))
	assert_line --regexp '^10\.8\.3\.10:80 open  syn-ack  '
	assert_line --regexp '^10\.8\.3\.10:81 closed  rst  '
	assert_line '10.8.3.10:82 filtered  timeout'
	# the tour's own verdict: no step failed
	[[ $(grep -c '\[ok\]' <<<"$output") -ge 20 ]]
	refute_output --partial '[FAILED]'
	assert_line --regexp '^tour: all 6 steps ok in [0-9.]+ s\.'
	((dt < 60)) || { echo "the tour took $dt s"; false; }
	# torn down
	local p
	p=$(prefix_of "$output")
	assert_line "lab: torn down (namespaces ${p}* removed)"
	gone "$p"
}

@test "the tour fails loudly at the step of a tool that is not built, and still tears down" {
	local fake=$BATS_TEST_TMPDIR/build t
	for t in $TOOLS; do
		[[ $t == tcpprobe ]] && continue
		mkdir -p "$fake/$t"
		ln -s "$ND_BUILD/$t/$t" "$fake/$t/$t"
	done
	ND_BUILD=$fake run_t 120 -1 "$ROOT/lab/tour.sh"
	assert_line "[FAILED] tcpprobe is not built: $fake/tcpprobe/tcpprobe is missing (make tcpprobe/tcpprobe)"
	assert_line --regexp '^tour: 1 of 6 steps failed: tcpprobe \('
	# the other steps ran
	assert_line --regexp '^path MTU 1280'
	gone "$(prefix_of "$output")"
}

@test "the tour tears the lab down when interrupted (Ctrl-C)" {
	local out=$BATS_TEST_TMPDIR/tour.out pid p i st
	# job control: the tour gets a process group of its own (as at a terminal)
	# and SIGINT is not ignored, as it would be for a plain background job
	set -m
	"$ROOT/lab/tour.sh" >"$out" 2>&1 3>&- &
	pid=$!
	set +m
	# wait until the network is up and the tour is running its tools
	for ((i = 0; i < 600; i++)); do
		grep -q '^== 2\. ' "$out" && break
		sleep 0.1
	done
	p=$(prefix_of "$(cat "$out")")
	[[ -e /run/netns/${p}client ]]
	# Ctrl-C: SIGINT to the whole foreground process group
	kill -INT -- "-$pid"
	st=0
	wait "$pid" || st=$?
	cat "$out"
	[[ $st -eq 130 ]]
	# What matters is the exit status and that nothing is left; the
	# notice can be lost when SIGINT lands while a tool owns the output.
	grep -q '^lab: \(interrupted, tearing down\|torn down\)' "$out" || echo "# no teardown notice"
	gone "$p"
}

@test "make lab-shell: up, a shell in the client namespace with the lab's tools and root hints, down on exit" {
	local cmds=$BATS_TEST_TMPDIR/cmds
	cat >"$cmds" <<'EOF'
echo "in namespace $(ip netns identify)"
command -v ping dnsq
ping -c1 -W 2 server
dnsq -s www.school.lab
arping -c 1 -w 2 10.8.1.21
exit 7
EOF
	run_t 60 -7 bash -c '"$1" <"$2"' _ "$ROOT/lab/shell.sh" "$cmds"
	local p
	p=$(prefix_of "$output")
	assert_line "in namespace ${p}client"
	assert_line --regexp "^/tmp/netdiag-lab\.${p:2:6}/tools/ping$"
	assert_line --regexp "^/tmp/netdiag-lab\.${p:2:6}/tools/dnsq$"
	assert_line --regexp '^64 bytes from server \(10\.8\.3\.10\): icmp_seq=1 ttl=61 time='
	assert_line '1 packets transmitted, 1 received, 0% packet loss, time 0ms'
	# dnsq walked the lab's root without being told (the wrapper's root hints)
	assert_line 'web.physics.school.lab.'
	assert_line '10.8.3.10'
	assert_line --regexp '^Unicast reply from 10\.8\.1\.21 \[[0-9A-F:]{17}\]  '
	assert_line "lab: torn down (namespaces ${p}* removed)"
	gone "$p"
}

# order_of RE...: the line numbers of the first lines matching each RE, in order
in_order() {
	local re n last=0
	for re in "$@"; do
		n=$(grep -nE -- "$re" <<<"$output" | head -1 | cut -d: -f1)
		if [[ -z $n ]] || ((n <= last)); then echo "not in order: $re"; return 1; fi
		last=$n
	done
}

@test "make lab and make lab-shell: the packages first, then the build, then the lab" {
	run_t 60 -0 make -C "$ROOT" -n --no-print-directory lab
	assert_output --regexp 'tests/deps\.sh .*\bnsd\b'
	assert_output --regexp 'tests/deps\.sh .*\bdnsmasq-base\b'
	in_order '^tests/deps\.sh ' '^make.* all$' '^ND_BUILD=[^ ]+ lab/tour\.sh$'
	run_t 60 -0 make -C "$ROOT" -n --no-print-directory lab-shell
	in_order '^tests/deps\.sh ' '^make.* all$' '^ND_BUILD=[^ ]+ lab/shell\.sh$'
}
