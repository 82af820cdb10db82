#!/usr/bin/env bash
# lab/tour.sh - the guided tour of `make lab`: bring up the teaching network
# (lab/topology.bash), run each netdiag tool once from the client namespace,
# each after a heading and two lines on what to look at, show its output in
# full, check the step's key evidence, and tear everything down - at the end,
# on Ctrl-C, on any failure (traps), and if this script is killed outright
# (the lab library's reaper).
#
#   lab/tour.sh            needs root; ND_BUILD = the build tree (default: repo)
#
# Exit 0 when every step showed what it should; 1 when a step failed (a tool
# missing, failing, or its output lacking the evidence: said at that step and
# in the summary); 2 when the lab could not be built; 130 on Ctrl-C.
set -u

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=topology.bash
source "$LAB_SRC/topology.bash"
# a lab of our own, even when started from inside another lab's shell
unset LAB_DIR LAB_PREFIX LAB_NS
cd "$LAB_SRC/.." || exit 2

if [[ -t 1 ]]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'
else
	B='' G='' R='' N=''
fi

if ((EUID != 0)); then
	echo "lab: the lab needs root (it creates network namespaces): sudo make lab" >&2
	exit 2
fi
for p in nsd dnsmasq python3 nft ip timeout stdbuf; do
	if ! command -v "$p" >/dev/null && [[ ! -x /usr/sbin/$p ]]; then
		echo "lab: $p is missing: run 'make lab' as root (it installs what the lab needs)" >&2
		exit 2
	fi
done

T0=$EPOCHREALTIME
STEPS=0
FAILED=()
PREFIX=

elapsed() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# everything goes, whatever the way out
tour_teardown() {
	local left
	if [[ -n ${LAB_DIR:-} ]]; then
		lab_cleanup
		left=$(ip netns list 2>/dev/null | grep -c "^$PREFIX" || true)
		if ((left == 0)); then
			echo "lab: torn down (namespaces ${PREFIX}* removed)"
		else
			echo "lab: $left namespace(s) ${PREFIX}* are still there" >&2
		fi
	fi
}
trap 'tour_teardown' EXIT
trap 'echo; echo "lab: interrupted, tearing down"; tour_teardown; trap - EXIT; exit 130' INT
trap 'echo "lab: terminated, tearing down"; tour_teardown; trap - EXIT; exit 143' TERM HUP

LAB_NO_TRAP=1 lab_init || exit 2
PREFIX=$LAB_PREFIX
echo "${B}netdiag lab${N}: Linux network namespaces ${PREFIX}*, not connected to this machine's network"
if ! labnet_up; then
	lab_dump
	echo "${R}lab: the network could not be built${N}" >&2
	exit 2
fi
CLIENT=$(lab_nsname client)
echo "up in $(elapsed) s:"
echo
labnet_map

OUT=$LAB_DIR/run/step.out

# step N TITLE LINE1 LINE2: the heading of a step
step() {
	STEPS=$((STEPS + 1))
	echo
	echo "${B}== $1. $2 ${N}"
	echo "   $3"
	echo "   $4"
	echo
}

# run SECS TOOL ARGS...: TOOL from the client namespace, output shown and kept in $OUT
run() {
	local secs=$1 tool=$2
	shift 2
	RC=
	: >"$OUT"
	if [[ ! -x $LABNET_TOOLS/$tool ]]; then
		echo "${R}[FAILED] $tool is not built: $ND_BUILD/$tool/$tool is missing (make $tool/$tool)${N}"
		RC=127
		return 1
	fi
	echo "${B}client\$ $tool $*${N}"
	timeout --foreground -k 2 "$secs" ip netns exec "$CLIENT" stdbuf -oL -eL "$LABNET_TOOLS/$tool" "$@" 2>&1 | tee "$OUT"
	RC=${PIPESTATUS[0]}
	if ((RC == 124 || RC == 137)); then echo "${R}($tool timed out after $secs s)${N}"; fi
	return 0
}

# check NAME WHAT [CMD...]: record a piece of evidence (CMD's status; no CMD: true)
STEP_OK=1
check() {
	local what=$1
	shift
	if (($# == 0)) || "$@" >/dev/null 2>&1; then
		echo "   ${G}[ok]${N} $what"
	else
		echo "   ${R}[FAILED]${N} $what"
		STEP_OK=0
	fi
}
# has RE...: every extended regex matches a line of the step's output
has() {
	local re
	for re in "$@"; do grep -Eq -- "$re" "$OUT" || return 1; done
}
status_is() { [[ $RC == "$1" ]]; }

# end_step NAME: close a step; a missing tool or a failed check fails it
end_step() {
	if [[ $RC == 127 ]]; then STEP_OK=0; fi
	if ((!STEP_OK)); then FAILED+=("$1"); fi
	STEP_OK=1
}

# ------------------------------------------------------------------ 1. ping
step 1 "ping: is the server there, and how far?" \
	"Each reply's ttl= is what is left of the server's initial TTL (64) after the routers" \
	"on the way back took one each: 64 - 3 routers = ttl=61. The footer: loss and RTTs."
if run 10 ping -c 3 -i 0.2 server; then
	check "exit status 0 (the server answered)" status_is 0
	check "3 replies with ttl=61: three routers on the path" \
		test "$(grep -Ec 'icmp_seq=[0-9]+ ttl=61 ' "$OUT")" -eq 3
	check "no loss" has ' 0% packet loss'
fi
end_step ping

# ------------------------------------------------------------ 2. traceroute
step 2 "traceroute --mtu: the path, hop by hop, and its MTU" \
	"One line per TTL: the router where it ran out says so (hop 1 r1, hop 2 r2); r3 stays" \
	"silent (* * *). F=1280 marks where the path narrows: the r1-r2 link carries 1280 bytes."
if run 20 traceroute --mtu server; then
	check "exit status 0 (the server was reached)" status_is 0
	check "hop 1 is r1, hop 2 is r2" has '^ 1  r1 \(10\.8\.1\.1\)' '^ 2  r2 \(10\.8\.12\.2\)'
	check "hop 3 is the silent router: * * *" has '^ 3  \* \* \*$'
	check "F=1280 at hop 2, where the path narrows" has '^ 2  .*F=1280'
	check "path MTU 1280" has '^path MTU 1280'
fi
end_step traceroute

# ---------------------------------------------------------------- 3. arping
step 3 "arping: who has 10.8.1.30? (two hosts claim it)" \
	"host2 and host3 were both given 10.8.1.30: each broadcast ARP request gets two answers," \
	"from two MACs (..:1E and ..:2E). arping names the second one an address conflict."
if run 10 arping -c 2 -I lan 10.8.1.30; then
	check "exit status 0 (someone answered)" status_is 0
	check "replies from both MACs, 02:00:00:08:01:1E and 02:00:00:08:01:2E" \
		has 'reply from 10\.8\.1\.30 \[02:00:00:08:01:1E\]' 'reply from 10\.8\.1\.30 \[02:00:00:08:01:2E\]'
	check "the address conflict is flagged" has '^Address conflict: 10\.8\.1\.30 is also at'
fi
end_step arping

# ----------------------------------------------------------------- 4. dhcpc
step 4 "dhcpc: DHCP's four steps on the client's LAN interface" \
	"DISCOVER (broadcast: no address yet), OFFER from dnsmasq, REQUEST (broadcast, naming" \
	"the server chosen), ACK: one xid for all four, then the lease (not applied: see --apply)."
if run 30 dhcpc lan; then
	check "exit status 0 (a lease)" status_is 0
	check "DISCOVER, OFFER, REQUEST and ACK, in this order" \
		test "$(grep -Eo '  (DISCOVER|OFFER|REQUEST|ACK) +xid' "$OUT" | awk '{print $1}' | paste -sd' ')" \
		= "DISCOVER OFFER REQUEST ACK"
	check "one transaction id for the four messages" \
		test "$(grep -Eo 'xid 0x[0-9a-f]+' "$OUT" | sort -u | wc -l)" -eq 1
	check "the lease: 10.8.1.100 from dnsmasq at 10.8.1.2" \
		has '^lease of 10\.8\.1\.100 obtained from 10\.8\.1\.2'
fi
end_step dhcpc

# ------------------------------------------------------------------ 5. dnsq
step 5 "dnsq -T: resolving www.school.lab from the lab's own root" \
	"Each step asks one server: the root refers to lab., lab. to school.lab (with glue). www is" \
	"a CNAME into physics.school.lab, served by a name without glue: the indented sub-trace."
if run 20 dnsq -T --root-hints lab/root.hints www.school.lab; then
	check "exit status 0 (an answer)" status_is 0
	check "the root's referral to lab., then lab.'s to school.lab." \
		has 'referral to lab\.' 'referral to school\.lab\.'
	check "the CNAME www.school.lab -> web.physics.school.lab" \
		has '^www\.school\.lab\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+CNAME[[:space:]]+web\.physics\.school\.lab\.$'
	check "the glueless delegation and its sub-trace for ns.hosting.lab" \
		has 'without glue' '^;;   step [0-9]+: .* ns\.hosting\.lab\. A$'
	check "the answer: web.physics.school.lab A 10.8.3.10" \
		has '^web\.physics\.school\.lab\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.8\.3\.10$'
fi
end_step dnsq

# -------------------------------------------------------------- 6. tcpprobe
# isn_ok: the SYN-ACK to the port-80 SYN acknowledges its ISN + 1
isn_ok() {
	local syn ack
	syn=$(grep -Eo '^SYN +[0-9.:]+ > 10\.8\.3\.10:80 +seq=[0-9]+' "$OUT" | head -1 | sed 's/.*seq=//')
	ack=$(grep -Eo '^SYN-ACK +10\.8\.3\.10:80 > .* ack=[0-9]+' "$OUT" | head -1 | sed 's/.*ack=//')
	[[ -n $syn && -n $ack ]] && (((syn + 1) % 4294967296 == ack))
}
step 6 "tcpprobe -S: the TCP handshake, port by port" \
	"Port 80: our SYN has seq=x (a random ISN); the SYN-ACK has ack=x+1 and its own seq=y;" \
	"our kernel then resets it. 81 is closed (the server's RST), 82 filtered (dropped: timeout)."
if run 15 tcpprobe -S server 80,81,82; then
	check "exit status 0 (a port is open)" status_is 0
	check "the SYN-ACK acknowledges our ISN + 1" isn_ok
	check "80 open, 81 closed, 82 filtered" \
		has '^10\.8\.3\.10:80 open  syn-ack' '^10\.8\.3\.10:81 closed  rst' '^10\.8\.3\.10:82 filtered  timeout'
fi
end_step tcpprobe

# ---------------------------------------------------------------- summary
echo
if ((${#FAILED[@]} == 0)); then
	echo "${B}${G}tour: all $STEPS steps ok${N} in $(elapsed) s.  Next: make lab-shell, and the exercises in lab/README.md"
	exit 0
fi
echo "${B}${R}tour: ${#FAILED[@]} of $STEPS steps failed: ${FAILED[*]}${N} ($(elapsed) s)"
exit 1
