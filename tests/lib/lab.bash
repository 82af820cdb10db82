# shellcheck shell=bash
# tests/lib/lab.bash - the network-namespace lab every netdiag test runs in.
#
# Every tool under test runs inside Linux network namespaces that the test
# creates itself. None of them is connected to the host's namespace, so there
# is no route to the outside and nothing a test does can reach an address
# outside the lab. Namespace names carry a per-run prefix (nd + 6 random
# characters from mktemp + "_", e.g. "ndq3ZrT0_client") so parallel runs never
# clash, and everything is removed afterwards, on failure too.
#
# Usage in a bats file (root only):
#
#   load lib/lab                      # also loads bats-support and bats-assert
#   setup()    { lab_init; }          # a fresh lab per test ...
#   teardown() { lab_teardown; }      # ... dumped on failure, then removed
#
# or, for a topology that is expensive to build (DNS hierarchy), one lab per
# file: lab_init + build in setup_file, lab_cleanup in teardown_file, and
# `teardown() { lab_teardown; }` to get the state dump of failed tests (it does
# not remove a lab that was made in setup_file).
#
# API (NAME is a short namespace name such as "client"; the full name
# PREFIX+NAME is accepted as well). Every function returns non-zero with a
# "lab: ..." message on stderr when something fails, so under bats the test
# stops there.
#
#   lab_init                        choose the prefix, make $LAB_DIR, register cleanup
#                                   (EXIT/INT/TERM/HUP traps outside bats unless
#                                   LAB_NO_TRAP=1; a reaper process that cleans up if
#                                   the owning process dies, even by SIGKILL).
#                                   LAB_KEEP=1: neither, the lab outlives the process;
#                                   remove it later with LAB_DIR=.. LAB_PREFIX=..
#                                   lab_cleanup --force
#   lab_cleanup [--force]           kill tracked processes and everything left inside
#                                   our namespaces, delete the namespaces, their
#                                   /etc/netns/<ns> dirs and $LAB_DIR; idempotent;
#                                   a no-op in a process that inherited the lab
#                                   (setup_file's) unless --force
#   lab_teardown                    for bats teardown(): lab_dump if the test failed,
#                                   then lab_cleanup
#   lab_dump                        print links, addresses, routes, nft rules of every
#                                   lab namespace and the tail of every lab_bg log
#   lab_ns NAME [ratelimit=kernel]  create PREFIX+NAME: lo up, DAD off, RS/RA off,
#                                   ICMP rate limits off (ratelimit=kernel keeps the
#                                   kernel's: icmp_ratelimit 1000 ms, icmpv6 100 ms,
#                                   icmp_msgs_per_sec 1000, burst 50), hosts,
#                                   resolv.conf (127.0.0.1), nsswitch.conf; prints the
#                                   full name (also in $LAB_NS)
#   lab_nsname NAME                 print the full name of an existing lab namespace
#   lab_exec NAME CMD...            run CMD in the namespace (ip netns exec; no timeout:
#                                   use run_t in tests)
#   lab_link A B [mtu=N] [ifa=IF] [ifb=IF] [neigh=static] [ADDR_A ADDR_B ...]
#                                   veth pair A<->B, named "to-B" in A and "to-A" in B;
#                                   addresses alternate A, B, A, B (v4 or v6, /prefix);
#                                   returns once both ends can carry traffic
#   lab_ifname A B                  print the default name of A's interface toward B
#   lab_addr NAME IFACE ADDR...     add addresses (v6 with nodad, v4 with brd +)
#   lab_router NAME                 enable IPv4 and IPv6 forwarding
#   lab_route NAME ROUTE...         ip route replace ROUTE... (-6 when it has a ':'),
#                                   e.g. lab_route c default via 10.0.1.1
#   lab_bridge LAN [mtu=N] MEMBER[=ADDR[,ADDR...]]...
#                                   a switched LAN segment: bridge "br0" in its own
#                                   namespace br-LAN, interface LAN in every member;
#                                   call again to add members
#   lab_impair_link A B DELAY_MS LOSS_PCT DUP_PCT [mtu=N] [ifa=IF] [ifb=IF]
#                   [neigh=static] [wf="wirefilter options"] [ADDR_A ADDR_B ...]
#                                   like lab_link, but through vde2: a tap made by
#                                   vde_switch -t in each namespace, joined by
#                                   dpipe vde_plug = wirefilter = vde_plug.
#                                   DELAY/LOSS/DUP take wirefilter's syntax (20+5N,
#                                   LR10); 0 means off. Loss and dup apply to EACH
#                                   direction. mtu <= 1500 (vde drops bigger frames).
#                                   neigh=static (here and in lab_link) installs
#                                   permanent ARP/ND entries for the link's addresses:
#                                   with loss, ARP is lost too and a test can spend
#                                   seconds waiting for it
#   lab_nft NAME CHAIN RULE         add RULE to CHAIN (input|forward|output|prerouting|
#                                   postrouting) of table inet lab, made on first use
#   lab_nft NAME 'SCRIPT'           feed a raw nft script (nft -f -)
#   lab_sysctl NAME KEY=VALUE...    sysctl -w inside the namespace
#   lab_hosts NAME 'ADDR NAME...'...   append lines to the namespace's /etc/hosts
#   lab_bg NAME CMD...              start a daemon in the namespace, in its own session,
#                                   output to $LAB_LOG; its pid in $LAB_PID; tracked
#   lab_kill PID                    stop a tracked process (its whole process group)
#   lab_pids                        print the tracked pids that are still alive
#   lab_wait SECONDS CMD...         retry CMD (program, lab_exec/lab_as or function)
#                                   every 50 ms until it succeeds
#   lab_user                        make sure $LAB_USER (netdiag-test, system account,
#                                   no home) exists; sets $LAB_USER_UID/$LAB_USER_GID
#   lab_capbin SRC [CAPS] [NAME]    copy SRC to $LAB_DIR/bin/NAME (mode 755, dir readable
#                                   by the test user) with file capabilities CAPS
#                                   (default cap_net_raw+p; "" for none); prints path
#   lab_as NAME CMD...              run CMD as $LAB_USER inside the namespace
#                                   (setpriv --reuid/--regid --clear-groups --reset-env)
#   run_t SECONDS [-N|!] CMD...     bats `run` under timeout -k 1 SECONDS; CMD may be a
#                                   program, lab_exec or lab_as. Always prints
#                                   "$ CMD", the output and the exit status (bats shows
#                                   it when the test fails); -N / ! check the exit status
#                                   like bats' run -N / run !, printing why on mismatch;
#                                   --separate-stderr is passed to run
#
# Do not call a bare `wait` in a test: the lab's daemons and the reaper are
# children of the test's shell. Wait for a pid, or use lab_wait.
#
# Variables: LAB_PREFIX, LAB_DIR (0711; bin/ log/ vde/ run/ inside), LAB_NS, LAB_PID,
# LAB_LOG, LAB_USER (default netdiag-test), LAB_USER_UID, LAB_USER_GID, LAB_LIB_DIR.
#
# The impaired link (vde2 2.3.2 on this Debian 12 VM, kernel 6.18; iputils
# ping, 50 probes at -i 0.02, min/avg/max in ms):
#   delay 0   -> 0.33 / 0.42 / 0.60   (a plain veth: 0.045 / 0.061 / 0.27)
#   delay 5   -> 9.6  / 10.6 / 11.2
#   delay 20  -> 39.9 / 40.8 / 44.1   (2 x delay + ~0.5 ms; the min can dip just
#                                      under 2 x delay: wirefilter's timer)
#   The first probe to a new neighbour also pays for ARP or ND through the same
#   wire (+2 x delay: 20.9 ms at 5, 81 ms at 20). Loss L drops L% in EACH
#   direction, so a round trip survives with (1-L)^2: 200 probes saw 22% loss at
#   L=10, 44.5% at 30, 76% at 50; "LR50" drops only A->B. Dup D duplicates a
#   frame with probability D, repeatedly (geometric), in each direction: +31
#   duplicates per 200 probes at 10, +211 at 30; D = 100 would loop forever
#   (wirefilter spins at 100% CPU), so it is refused.
#   Jitter/reordering: DELAY "20+10N" plus wf="-N" lets packets overtake.
# vde2 quirks met here: vde_switch leaves when its stdin reaches EOF (so it gets
# a FIFO opened read-write as stdin; writing console commands to it makes it
# spin, so we never do); dpipe calls setsid() itself and fails ("cannot create
# pgrp") when already a session leader, and killing dpipe alone leaves
# wirefilter running: the whole process group is killed; frames above 1518
# bytes are dropped silently (MTU > 1500 is refused); the taps are made by
# vde_switch -t run under ip netns exec, so each is born in its namespace, and
# the plugs reach the switches through unix sockets in $LAB_DIR/vde/N (path
# sockets are not confined by network namespaces).
# Kernel quirk met here: both ends of a veth pair in fresh namespaces get
# ifindex 2, the kernel then treats the carrier change as non-urgent and sets
# the second end up to a second later; the first IPv6 packets are dropped
# meanwhile (first ping6 ~1000 ms). Links get distinct ifindexes and
# lab_link waits for operstate UP and the link-local address.
# PID 1 of this VM does not reap orphans: processes killed after their parent
# died stay as zombies, so cleanup reaps its own children with wait.

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${LAB_USER:=netdiag-test}"

# Under bats (not merely in a child of it: BATS_VERSION is exported, functions are not)
_lab_in_bats() {
	[[ -n ${BATS_VERSION:-} ]] && declare -F run >/dev/null && declare -F load >/dev/null
}

# bats helpers, when loaded by bats
if _lab_in_bats && ! declare -F assert_success >/dev/null; then
	# shellcheck source=/dev/null
	source /usr/lib/bats/bats-support/load.bash
	# shellcheck source=/dev/null
	source /usr/lib/bats/bats-assert/load.bash
fi
# run_t passes flags to bats' run (--separate-stderr, --keep-empty-lines);
# without this, bats 1.8 warns through fd 3, which run_t has closed, and
# the test silently disappears.
if _lab_in_bats && declare -F bats_require_minimum_version >/dev/null; then
	bats_require_minimum_version 1.5.0
fi

_LAB_PREFIX_RE='^nd[A-Za-z0-9]{6}_$'
_LAB_CHAINS='input|forward|output|prerouting|postrouting'

_lab_err() { echo "lab: $*" >&2; }

_lab_need() {
	if [[ -z ${LAB_PREFIX:-} || -z ${LAB_DIR:-} || ! -d ${LAB_DIR:-/nonexistent} ]]; then
		_lab_err "${FUNCNAME[1]}: no lab (call lab_init first)"
		return 1
	fi
}

# ---------------------------------------------------------------- processes

# _lab_stat PID: set _LAB_STATE, _LAB_PGRP, _LAB_PPID, _LAB_START from /proc
_lab_stat() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $s ]] || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	_LAB_STATE=$1 _LAB_PPID=$2 _LAB_PGRP=$3 _LAB_START=${20}
}

# _lab_alive PID [STARTTIME]: running (not a zombie) and, if given, the same process
_lab_alive() {
	_lab_stat "$1" || return 1
	[[ $_LAB_STATE != [ZX] ]] || return 1
	[[ -z ${2:-} || $2 == "$_LAB_START" ]]
}

_lab_track() {
	local start=
	_lab_stat "$1" && start=$_LAB_START
	echo "$1 $start" >>"$LAB_DIR/pids"
}

# _lab_spawn sid|nosid STDIN LOG CMD...: start CMD in the background with every
# inherited fd above 2 closed (bats waits for whoever holds its fd 3), stdin
# opened read-write (a FIFO then never reaches EOF). "sid" puts it in a new
# session (pid = process group id); "nosid" is for programs that call setsid()
# themselves (dpipe). Sets _LAB_SPAWNED. The caller tracks it.
_lab_spawn() {
	local mode=$1 in=$2 log=$3 m=0
	shift 3
	# with job control on, & would make the child a group leader and setsid would fork
	if [[ $- == *m* ]]; then m=1; set +m; fi
	(
		for fd in /proc/"$BASHPID"/fd/*; do
			fd=${fd##*/}
			if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
		done
		exec 0<>"$in" 1>>"$log" 2>&1
		if [[ $mode == sid ]]; then exec setsid "$@"; else exec "$@"; fi
	) &
	_LAB_SPAWNED=$!
	if ((m)); then set -m; fi
	# wait until it leads its own process group (setsid ran), so that the pid
	# names the whole group for lab_kill and cleanup
	local i
	for ((i = 0; i < 200; i++)); do
		if ! _lab_stat "$_LAB_SPAWNED" || [[ $_LAB_PGRP == "$_LAB_SPAWNED" || $_LAB_STATE == [ZX] ]]; then
			break
		fi
		sleep 0.01
	done
	return 0
}

# _lab_stop PID...: TERM each process (and its group when it leads one), wait up
# to 2 s, then KILL; reap our own children
_lab_stop() {
	local p i left
	for p in "$@"; do
		if _lab_stat "$p" && [[ $_LAB_PGRP == "$p" ]]; then kill -TERM -- "-$p" 2>/dev/null || true; fi
		kill -TERM "$p" 2>/dev/null || true
	done
	for ((i = 0; i < 40; i++)); do
		left=0
		for p in "$@"; do if _lab_alive "$p"; then left=1; fi; done
		((left)) || break
		sleep 0.05
	done
	for p in "$@"; do
		if _lab_alive "$p"; then
			if [[ $_LAB_PGRP == "$p" ]]; then kill -KILL -- "-$p" 2>/dev/null || true; fi
			kill -KILL "$p" 2>/dev/null || true
		fi
	done
	for p in "$@"; do
		if _lab_stat "$p" && [[ $_LAB_PPID == "$BASHPID" || $_LAB_PPID == "$$" ]]; then
			wait "$p" 2>/dev/null || true
		fi
	done
	return 0
}

# ---------------------------------------------------------------- lifecycle

lab_init() {
	# already made by this process, or inherited (exported) from setup_file
	if [[ -n ${LAB_DIR:-} && -d ${LAB_DIR:-/nonexistent} && ${LAB_PREFIX:-} =~ $_LAB_PREFIX_RE ]]; then
		return 0
	fi
	local base=${LAB_TMPBASE:-/tmp} dir='' tag i f clash
	for ((i = 0; i < 10; i++)); do
		dir=$(mktemp -d "$base/netdiag-lab.XXXXXX") || return 1
		tag=${dir##*.}
		clash=0
		for f in /run/netns/"nd${tag}_"* /etc/netns/"nd${tag}_"*; do
			if [[ -e $f ]]; then clash=1; fi
		done
		((clash)) || break
		rmdir "$dir"
		dir=
	done
	if [[ -z $dir ]]; then _lab_err "lab_init: no unique prefix"; return 1; fi
	chmod 0711 "$dir"
	mkdir -p "$dir/log" "$dir/bin" "$dir/vde" "$dir/run"
	chmod 0755 "$dir/bin"
	: >"$dir/pids"
	export LAB_DIR=$dir LAB_PREFIX="nd${tag}_"
	_LAB_MINE=$dir
	_lab_stat $$ || return 1
	echo "$$ $_LAB_START" >"$dir/owner"
	# LAB_KEEP=1: the lab outlives this process (make lab-shell); no trap, no reaper
	if [[ -n ${LAB_KEEP:-} ]]; then
		return 0
	fi
	# bats has its own EXIT/ERR traps and runs teardown/teardown_file anyway
	if ! _lab_in_bats && [[ -z ${LAB_NO_TRAP:-} ]]; then
		trap 'lab_cleanup' EXIT
		trap 'lab_cleanup; trap - EXIT; exit 130' INT
		trap 'lab_cleanup; trap - EXIT; exit 143' TERM HUP
	fi
	# the reaper removes the lab if this process dies without cleaning up
	_lab_spawn sid /dev/null /dev/null \
		bash "$LAB_LIB_DIR/lab-reaper.bash" "$$" "$_LAB_START" "$dir" "$LAB_PREFIX"
	echo "$_LAB_SPAWNED" >"$dir/reaper.pid"
	return 0
}

# shellcheck disable=SC2120  # --force is for the reaper and for callers by hand
lab_cleanup() {
	local force=0
	if [[ ${1:-} == --force ]]; then force=1; fi
	if [[ -z ${LAB_PREFIX:-} || -z ${LAB_DIR:-} ]]; then return 0; fi
	if ((!force)) && [[ ${_LAB_MINE:-} != "$LAB_DIR" ]]; then return 0; fi
	if [[ ! $LAB_PREFIX =~ $_LAB_PREFIX_RE ]]; then
		_lab_err "lab_cleanup: refusing, odd prefix '$LAB_PREFIX'"
		return 1
	fi
	local pid start f ns p
	local -a victims=() nss=()
	# 1. tracked processes (checked against their start time: pids get reused)
	if [[ -r $LAB_DIR/pids ]]; then
		while read -r pid start; do
			[[ $pid =~ ^[0-9]+$ ]] || continue
			if _lab_alive "$pid" "$start"; then
				victims+=("$pid")
			elif ! _lab_stat "$pid" || [[ $_LAB_START == "$start" ]]; then
				# leader gone or a zombie: members of its group may live on, and
				# a pid cannot be reused while its number is a live group's id
				kill -TERM -- "-$pid" 2>/dev/null || true
				if _lab_stat "$pid" && [[ $_LAB_PPID == "$BASHPID" || $_LAB_PPID == "$$" ]]; then
					wait "$pid" 2>/dev/null || true
				fi
			fi
		done <"$LAB_DIR/pids"
	fi
	# 2. whatever still lives inside our namespaces
	for f in /run/netns/"$LAB_PREFIX"*; do
		[[ -e $f ]] || continue
		ns=${f##*/}
		nss+=("$ns")
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			if [[ $p != "$$" && $p != "$BASHPID" ]]; then victims+=("$p"); fi
		done
	done
	if ((${#victims[@]})); then _lab_stop "${victims[@]}"; fi
	# 3. namespaces and their /etc/netns files
	for ns in "${nss[@]}"; do
		ip netns del "$ns" 2>/dev/null || ip netns del "$ns" 2>/dev/null || true
	done
	for f in /etc/netns/"$LAB_PREFIX"*; do
		if [[ -d $f ]]; then rm -rf -- "$f"; fi
	done
	# 4. the reaper (unless we are it) and the state directory
	if [[ -z ${_LAB_IN_REAPER:-} && -r $LAB_DIR/reaper.pid ]]; then
		pid=$(<"$LAB_DIR/reaper.pid")
		if [[ $pid =~ ^[0-9]+$ ]] && _lab_stat "$pid" && [[ $_LAB_PPID == "$BASHPID" || $_LAB_PPID == "$$" ]]; then
			kill -TERM "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	fi
	if [[ $LAB_DIR == */netdiag-lab.?????? && -d $LAB_DIR ]]; then
		rm -rf -- "$LAB_DIR"
	fi
	unset LAB_DIR LAB_PREFIX _LAB_MINE LAB_NS LAB_PID LAB_LOG
	return 0
}

lab_teardown() {
	if [[ -n ${BATS_TEST_NAME:-} && -z ${BATS_TEST_COMPLETED:-} ]]; then
		lab_dump
	fi
	lab_cleanup
}

lab_dump() {
	if [[ -z ${LAB_PREFIX:-} ]]; then return 0; fi
	local f ns
	echo "---- lab $LAB_PREFIX ($LAB_DIR) ----"
	for f in /run/netns/"$LAB_PREFIX"*; do
		[[ -e $f ]] || continue
		ns=${f##*/}
		echo "[$ns]"
		ip -n "$ns" -br link 2>&1 | sed 's/^/  /'
		ip -n "$ns" -br addr 2>&1 | sed 's/^/  /'
		ip -n "$ns" route 2>&1 | sed 's/^/  v4 /'
		ip -n "$ns" -6 route 2>&1 | grep -v '^fe80::/64' | sed 's/^/  v6 /'
		ip netns exec "$ns" nft list ruleset 2>/dev/null | sed 's/^/  nft /'
	done
	for f in "$LAB_DIR"/log/*.log; do
		[[ -s $f ]] || continue
		echo "[log ${f##*/}]"
		tail -n 20 "$f" | sed 's/^/  /'
	done
	echo "---- end of lab ----"
}

# ---------------------------------------------------------------- namespaces

# _lab_ns NAME: full name of an existing lab namespace in REPLY
_lab_ns() {
	_lab_need || return 1
	local n=${1:-}
	if [[ -z $n ]]; then _lab_err "namespace name missing"; return 1; fi
	if [[ $n != "$LAB_PREFIX"* ]]; then n=$LAB_PREFIX$n; fi
	if [[ ! -e /run/netns/$n ]]; then _lab_err "no lab namespace '$1'"; return 1; fi
	REPLY=$n
}

lab_nsname() {
	_lab_ns "$1" || return 1
	echo "$REPLY"
}

lab_ns() {
	_lab_need || return 1
	local name=${1:-} rl=1 opt ns
	shift || true
	for opt in "$@"; do
		case $opt in
		ratelimit=kernel) rl=0 ;;
		*) _lab_err "lab_ns: unknown option '$opt'"; return 1 ;;
		esac
	done
	if [[ ! $name =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ || ${#name} -gt 40 ]]; then
		_lab_err "lab_ns: bad name '$name'"
		return 1
	fi
	ns=$LAB_PREFIX$name
	# name lookups inside never leave the namespace
	mkdir -p "/etc/netns/$ns" || return 1
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"/etc/netns/$ns/hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"/etc/netns/$ns/resolv.conf"
	printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' 'hosts: files dns' \
		'networks: files' 'protocols: files' 'services: files' 'ethers: files' 'rpc: files' \
		>"/etc/netns/$ns/nsswitch.conf"
	ip netns add "$ns" || return 1
	local -a sc=(
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
		net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	)
	if ((rl)); then
		sc+=(net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
			net.ipv4.icmp_msgs_per_sec=1000000 net.ipv4.icmp_msgs_burst=1000000)
	fi
	ip netns exec "$ns" sysctl -q -w "${sc[@]}" >/dev/null || return 1
	ip -n "$ns" link set lo up || return 1
	LAB_NS=$ns
	echo "$ns"
}

lab_exec() {
	_lab_argv lab_exec "$@" || return 1
	"${_LAB_ARGV[@]}"
}

lab_sysctl() {
	_lab_ns "$1" || return 1
	shift
	ip netns exec "$REPLY" sysctl -q -w "$@" >/dev/null
}

lab_hosts() {
	_lab_ns "$1" || return 1
	shift
	printf '%s\n' "$@" >>"/etc/netns/$REPLY/hosts"
}

# ---------------------------------------------------------------- links

# default interface name in A toward B: "to-B", cut to the kernel's 15 bytes
lab_ifname() {
	local b=${2#"${LAB_PREFIX:-}"}
	local n="to-$b"
	echo "${n:0:15}"
}

# _lab_addr1 NS IFACE ADDR
_lab_addr1() {
	if [[ $3 == *:* ]]; then
		ip -n "$1" -6 addr add "$3" dev "$2" nodad
	else
		ip -n "$1" addr add "$3" brd + dev "$2"
	fi
}

lab_addr() {
	_lab_ns "$1" || return 1
	local ns=$REPLY ifc=$2 a
	shift 2
	for a in "$@"; do _lab_addr1 "$ns" "$ifc" "$a" || return 1; done
}

# _lab_linkopts ARGS...: parse mtu= ifa= ifb= wf= and addresses into _LO_*
_lab_linkopts() {
	_LO_MTU='' _LO_IFA='' _LO_IFB='' _LO_WF='' _LO_NEIGH=''
	_LO_ADDRS=()
	local x
	for x in "$@"; do
		case $x in
		mtu=*) _LO_MTU=${x#mtu=} ;;
		neigh=static) _LO_NEIGH=static ;;
		ifa=*) _LO_IFA=${x#ifa=} ;;
		ifb=*) _LO_IFB=${x#ifb=} ;;
		wf=*) _LO_WF=${x#wf=} ;;
		*/*) _LO_ADDRS+=("$x") ;;
		*) _lab_err "bad link argument '$x' (want mtu=N, ifa=, ifb=, wf=, neigh=static or ADDR/PREFIX)"; return 1 ;;
		esac
	done
	if [[ -n $_LO_MTU && ! $_LO_MTU =~ ^[0-9]+$ ]]; then _lab_err "bad mtu '$_LO_MTU'"; return 1; fi
	if ((${#_LO_IFA} > 15 || ${#_LO_IFB} > 15)); then _lab_err "interface names are at most 15 bytes"; return 1; fi
	return 0
}

# _lab_ifindex: a fresh interface index in REPLY. Both ends of a veth pair in
# fresh namespaces would otherwise both get index 2, and the kernel then takes
# the carrier event for a non-urgent one (linkwatch_urgent_event() compares
# ifindex with iflink): IPv6 stays unconfigured on the second end for up to a
# second and the first neighbour solicitation is dropped (first ping6 ~1000 ms).
_lab_ifindex() {
	local f=$LAB_DIR/run/ifindex fd n
	exec {fd}>>"$f.lock"
	flock "$fd"
	n=$(cat "$f" 2>/dev/null || true)
	n=${n:-100}
	echo $((n + 1)) >"$f"
	flock -u "$fd"
	exec {fd}>&-
	REPLY=$n
}

# _lab_wait_up NS IFACE...: wait (up to 3 s) until the kernel has processed the
# carrier change (operstate no longer DOWN) and, with IPv6 on, the link-local
# address exists, so the first packet of a test is not lost
_lab_wait_up() {
	local ns=$1 i ifc ok st
	shift
	for ((i = 0; i < 300; i++)); do
		ok=1
		for ifc in "$@"; do
			st=$(ip -n "$ns" -o link show dev "$ifc" 2>/dev/null) || { ok=0; break; }
			case $st in
			*" state DOWN "* | *" state LOWERLAYERDOWN "*) ok=0; break ;;
			esac
			if [[ $(ip netns exec "$ns" cat "/proc/sys/net/ipv6/conf/$ifc/disable_ipv6" 2>/dev/null) == 0 ]] &&
				[[ -z $(ip -n "$ns" -6 addr show dev "$ifc" scope link 2>/dev/null) ]]; then
				ok=0
				break
			fi
		done
		if ((ok)); then return 0; fi
		sleep 0.01
	done
	_lab_err "interface(s) $* in $ns did not come up"
	return 1
}

# _lab_finish_link NSA IFA NSB IFB: MTU, alternating addresses, up
_lab_finish_link() {
	local nsa=$1 ifa=$2 nsb=$3 ifb=$4 i
	if [[ -n $_LO_MTU ]]; then
		ip -n "$nsa" link set "$ifa" mtu "$_LO_MTU" || return 1
		ip -n "$nsb" link set "$ifb" mtu "$_LO_MTU" || return 1
	fi
	for ((i = 0; i < ${#_LO_ADDRS[@]}; i++)); do
		if ((i % 2 == 0)); then
			_lab_addr1 "$nsa" "$ifa" "${_LO_ADDRS[i]}" || return 1
		else
			_lab_addr1 "$nsb" "$ifb" "${_LO_ADDRS[i]}" || return 1
		fi
	done
	ip -n "$nsa" link set "$ifa" up || return 1
	ip -n "$nsb" link set "$ifb" up || return 1
	_lab_wait_up "$nsa" "$ifa" || return 1
	_lab_wait_up "$nsb" "$ifb" || return 1
	if [[ $_LO_NEIGH == static ]]; then
		# permanent ARP/ND entries for every address on the link, both ways
		local maca macb
		maca=$(ip netns exec "$nsa" cat "/sys/class/net/$ifa/address") || return 1
		macb=$(ip netns exec "$nsb" cat "/sys/class/net/$ifb/address") || return 1
		for ((i = 0; i < ${#_LO_ADDRS[@]}; i++)); do
			if ((i % 2 == 0)); then
				ip -n "$nsb" neigh replace "${_LO_ADDRS[i]%/*}" lladdr "$maca" dev "$ifb" nud permanent || return 1
			else
				ip -n "$nsa" neigh replace "${_LO_ADDRS[i]%/*}" lladdr "$macb" dev "$ifa" nud permanent || return 1
			fi
		done
	fi
	return 0
}

lab_link() {
	local a=$1 b=$2 nsa nsb
	_lab_ns "$a" || return 1
	nsa=$REPLY
	_lab_ns "$b" || return 1
	nsb=$REPLY
	shift 2
	_lab_linkopts "$@" || return 1
	local ifa=${_LO_IFA:-$(lab_ifname "$a" "$b")} ifb=${_LO_IFB:-$(lab_ifname "$b" "$a")}
	local ia ib
	_lab_ifindex; ia=$REPLY
	_lab_ifindex; ib=$REPLY
	ip -n "$nsa" link add "$ifa" index "$ia" type veth peer name "$ifb" index "$ib" netns "$nsb" || return 1
	_lab_finish_link "$nsa" "$ifa" "$nsb" "$ifb"
}

lab_router() {
	lab_sysctl "$1" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

lab_route() {
	_lab_ns "$1" || return 1
	local ns=$REPLY fam=-4 x
	shift
	for x in "$@"; do if [[ $x == *:* ]]; then fam=-6; fi; done
	ip -n "$ns" "$fam" route replace "$@"
}

lab_bridge() {
	_lab_need || return 1
	local lan=${1:-} mtu='' m name addrs a n sw mns ia ib
	shift || true
	if [[ ! $lan =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ || ${#lan} -gt 15 ]]; then
		_lab_err "lab_bridge: bad LAN name '$lan' (it names the interfaces, <= 15 bytes)"
		return 1
	fi
	if [[ ${1:-} == mtu=* ]]; then mtu=${1#mtu=}; shift; fi
	sw=$LAB_PREFIX"br-$lan"
	if [[ ! -e /run/netns/$sw ]]; then
		lab_ns "br-$lan" >/dev/null || return 1
		# the switch itself stays silent: no IPv6 on its ports
		lab_sysctl "$sw" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
		ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || return 1
		ip -n "$sw" link set br0 up || return 1
		echo "${mtu:-}" >"$LAB_DIR/run/br-$lan.mtu"
	fi
	if [[ -z $mtu ]]; then mtu=$(<"$LAB_DIR/run/br-$lan.mtu"); fi
	for m in "$@"; do
		name=${m%%=*}
		addrs=
		if [[ $m == *=* ]]; then addrs=${m#*=}; fi
		_lab_ns "$name" || return 1
		mns=$REPLY
		n=$(ip -n "$sw" -o link show master br0 | wc -l)
		n=$((n + 1))
		_lab_ifindex; ia=$REPLY
		_lab_ifindex; ib=$REPLY
		ip -n "$sw" link add "p$n" index "$ia" type veth peer name "$lan" index "$ib" netns "$mns" || return 1
		ip -n "$sw" link set "p$n" alias "${mns#"$LAB_PREFIX"}"
		if [[ -n $mtu ]]; then
			ip -n "$sw" link set "p$n" mtu "$mtu" || return 1
			ip -n "$mns" link set "$lan" mtu "$mtu" || return 1
		fi
		ip -n "$sw" link set "p$n" master br0 up || return 1
		if [[ -n $addrs ]]; then
			local -a al=()
			IFS=, read -r -a al <<<"$addrs"
			for a in "${al[@]}"; do _lab_addr1 "$mns" "$lan" "$a" || return 1; done
		fi
		ip -n "$mns" link set "$lan" up || return 1
		_lab_wait_up "$sw" "p$n" || return 1
		_lab_wait_up "$mns" "$lan" || return 1
	done
	return 0
}

# _lab_wfarg FLAG VALUE: wirefilter option unless the value is 0
_lab_wfarg() {
	if [[ -n $2 && $2 != 0 ]]; then _LAB_WF+=("$1" "$2"); fi
}

lab_impair_link() {
	if (($# < 5)); then
		_lab_err "usage: lab_impair_link A B DELAY_MS LOSS_PCT DUP_PCT [mtu=N] [ifa=] [ifb=] [wf=] [ADDRS...]"
		return 1
	fi
	local a=$1 b=$2 delay=$3 loss=$4 dup=$5 nsa nsb
	shift 5
	_lab_ns "$a" || return 1
	nsa=$REPLY
	_lab_ns "$b" || return 1
	nsb=$REPLY
	_lab_linkopts "$@" || return 1
	if [[ $dup =~ ^[0-9.]+$ ]] && awk -v d="$dup" 'BEGIN { exit !(d >= 100) }'; then
		_lab_err "lab_impair_link: dup must be < 100 (wirefilter would duplicate forever)"
		return 1
	fi
	if [[ -n $_LO_MTU ]] && ((_LO_MTU > 1500)); then
		_lab_err "lab_impair_link: mtu $_LO_MTU > 1500: vde2 drops frames above 1518 bytes"
		return 1
	fi
	local ifa=${_LO_IFA:-$(lab_ifname "$a" "$b")} ifb=${_LO_IFB:-$(lab_ifname "$b" "$a")}
	local n dir i
	n=$(find "$LAB_DIR/vde" -mindepth 1 -maxdepth 1 | wc -l)
	dir=$LAB_DIR/vde/$n
	mkdir -p "$dir" || return 1
	mkfifo "$dir/a.in" "$dir/b.in" || return 1
	# the taps are made by vde_switch itself, inside each namespace
	_lab_spawn sid "$dir/a.in" "$LAB_DIR/log/vde$n-${nsa#"$LAB_PREFIX"}.log" \
		ip netns exec "$nsa" vde_switch -t "$ifa" -s "$dir/a"
	_lab_track "$_LAB_SPAWNED"
	_lab_spawn sid "$dir/b.in" "$LAB_DIR/log/vde$n-${nsb#"$LAB_PREFIX"}.log" \
		ip netns exec "$nsb" vde_switch -t "$ifb" -s "$dir/b"
	_lab_track "$_LAB_SPAWNED"
	for ((i = 0; i < 100; i++)); do
		if [[ -S $dir/a/ctl && -S $dir/b/ctl ]] &&
			ip -n "$nsa" link show "$ifa" >/dev/null 2>&1 &&
			ip -n "$nsb" link show "$ifb" >/dev/null 2>&1; then
			break
		fi
		sleep 0.05
	done
	if ((i == 100)); then _lab_err "lab_impair_link: vde_switch did not start (see $LAB_DIR/log/vde$n-*)"; return 1; fi
	_LAB_WF=()
	_lab_wfarg -d "$delay"
	_lab_wfarg -l "$loss"
	_lab_wfarg -D "$dup"
	local -a extra=()
	if [[ -n $_LO_WF ]]; then read -r -a extra <<<"$_LO_WF"; fi
	# dpipe makes its own session; run it inside A so namespace cleanup finds it too
	_lab_spawn nosid /dev/null "$LAB_DIR/log/vde$n-wire.log" \
		ip netns exec "$nsa" dpipe vde_plug "$dir/a" = wirefilter "${_LAB_WF[@]}" "${extra[@]}" = vde_plug "$dir/b"
	_lab_track "$_LAB_SPAWNED"
	echo "$nsa $ifa $nsb $ifb ${_LAB_WF[*]} ${extra[*]}" >"$LAB_DIR/run/vde$n"
	# each plug that has joined owns a port socket (e.g. "002.6") next to ctl
	for ((i = 0; i < 100; i++)); do
		if compgen -G "$dir/a/[0-9]*" >/dev/null && compgen -G "$dir/b/[0-9]*" >/dev/null; then break; fi
		sleep 0.05
	done
	if ((i == 100)); then _lab_err "lab_impair_link: wire did not connect (see $LAB_DIR/log/vde$n-wire.log)"; return 1; fi
	_lab_finish_link "$nsa" "$ifa" "$nsb" "$ifb"
}

# ---------------------------------------------------------------- nftables

lab_nft() {
	_lab_ns "$1" || return 1
	local ns=$REPLY script c
	shift
	if (($# >= 2)) && [[ $1 =~ ^($_LAB_CHAINS)$ ]]; then
		c=$1
		shift
		script="table inet lab {
	chain $c {
		type filter hook $c priority 0; policy accept;
	}
}
add rule inet lab $c $*"
	elif (($# == 1)); then
		script=$1
	else
		_lab_err "usage: lab_nft NAME CHAIN 'RULE' | lab_nft NAME 'SCRIPT'"
		return 1
	fi
	printf '%s\n' "$script" | ip netns exec "$ns" nft -f -
}

# ---------------------------------------------------------------- daemons

lab_bg() {
	_lab_ns "${1:-}" || return 1
	local ns=$REPLY n
	shift
	if (($# == 0)); then _lab_err "lab_bg: command missing"; return 1; fi
	n=$(wc -l <"$LAB_DIR/pids")
	LAB_LOG=$LAB_DIR/log/${ns#"$LAB_PREFIX"}.${1##*/}.$n.log
	_lab_spawn sid /dev/null "$LAB_LOG" ip netns exec "$ns" "$@"
	_lab_track "$_LAB_SPAWNED"
	LAB_PID=$_LAB_SPAWNED
	return 0
}

lab_kill() {
	_lab_need || return 1
	local p
	for p in "$@"; do
		if ! grep -q "^$p " "$LAB_DIR/pids"; then _lab_err "lab_kill: $p is not a lab process"; return 1; fi
	done
	_lab_stop "$@"
}

lab_pids() {
	_lab_need || return 1
	local pid start
	while read -r pid start; do
		if _lab_alive "$pid" "$start"; then echo "$pid"; fi
	done <"$LAB_DIR/pids"
	return 0
}

# ---------------------------------------------------------------- users

lab_user() {
	local i
	for ((i = 0; i < 20; i++)); do
		if id -u "$LAB_USER" >/dev/null 2>&1; then break; fi
		# parallel runs may race on /etc/passwd's lock: retry
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin --user-group "$LAB_USER" 2>/dev/null && break
		sleep 0.1
	done
	if ! id -u "$LAB_USER" >/dev/null 2>&1; then _lab_err "lab_user: cannot create $LAB_USER"; return 1; fi
	LAB_USER_UID=$(id -u "$LAB_USER")
	LAB_USER_GID=$(id -g "$LAB_USER")
	export LAB_USER LAB_USER_UID LAB_USER_GID
}

lab_capbin() {
	_lab_need || return 1
	local src=${1:-} caps=${2-cap_net_raw+p} name=${3:-}
	if [[ ! -f $src ]]; then _lab_err "lab_capbin: no file '$src'"; return 1; fi
	name=${name:-${src##*/}}
	local dst=$LAB_DIR/bin/$name
	cp -- "$src" "$dst" || return 1
	chmod 0755 "$dst" || return 1
	if [[ -n $caps ]]; then setcap "$caps" "$dst" || return 1; fi
	REPLY=$dst
	echo "$dst"
}

lab_as() {
	_lab_argv lab_as "$@" || return 1
	"${_LAB_ARGV[@]}"
}

# ---------------------------------------------------------------- running

# _lab_argv CMD...: the argv to exec for CMD, expanding lab_exec and lab_as
_lab_argv() {
	case ${1:-} in
	lab_exec)
		_lab_ns "${2:-}" || return 1
		if (($# < 3)); then _lab_err "lab_exec: command missing"; return 1; fi
		_LAB_ARGV=(ip netns exec "$REPLY" "${@:3}")
		;;
	lab_as)
		_lab_ns "${2:-}" || return 1
		if (($# < 3)); then _lab_err "lab_as: command missing"; return 1; fi
		if [[ -z ${LAB_USER_UID:-} ]]; then lab_user || return 1; fi
		_LAB_ARGV=(ip netns exec "$REPLY" setpriv --reuid="$LAB_USER_UID" --regid="$LAB_USER_GID"
			--clear-groups --reset-env "${@:3}")
		;;
	'')
		_lab_err "command missing"
		return 1
		;;
	*)
		if declare -F -- "$1" >/dev/null; then
			_lab_err "'$1' is a shell function: only programs, lab_exec and lab_as can run under timeout"
			return 1
		fi
		_LAB_ARGV=("$@")
		;;
	esac
}

run_t() {
	local secs=${1:-} expect=
	shift || true
	if [[ ! $secs =~ ^[0-9]+(\.[0-9]+)?$ ]]; then _lab_err "run_t: SECONDS first, got '$secs'"; return 1; fi
	local -a rflags=()
	while (($#)); do
		case $1 in
		-[0-9]*) expect=${1#-}; shift ;;
		'!') expect='!'; shift ;;
		--separate-stderr | --keep-empty-lines) rflags+=("$1"); shift ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	_lab_argv "$@" || return 1
	local -a argv=("${_LAB_ARGV[@]}")
	local t0=$EPOCHREALTIME t1
	# fd 3 is bats' own output: a command that left a child holding it would hang bats
	run "${rflags[@]}" timeout -k 1 "$secs" "${argv[@]}" 3>&-
	t1=$EPOCHREALTIME
	# printed always; bats shows it only for a failed test
	printf '$ %s\n' "$(printf '%q ' "$@")"
	if [[ -n $output ]]; then printf '%s\n' "$output"; fi
	if [[ -n ${stderr:-} ]]; then printf '[stderr]\n%s\n' "$stderr"; fi
	local dt
	dt=$(awk -v a="${t0/,/.}" -v b="${t1/,/.}" 'BEGIN { printf "%.3f", b - a }')
	printf '[exit %s after %s s]\n' "$status" "$dt"
	if ((status == 124 || status == 137)) && awk -v d="$dt" -v s="$secs" 'BEGIN { exit !(d >= s) }'; then
		printf '[TIMED OUT: killed after %s s]\n' "$secs"
	fi
	if [[ $expect == '!' ]]; then
		if ((status == 0)); then echo "run_t: expected a non-zero exit status, got 0"; return 1; fi
	elif [[ -n $expect ]]; then
		if ((status != expect)); then echo "run_t: expected exit status $expect, got $status"; return 1; fi
	fi
	return 0
}

lab_wait() {
	local secs=${1:-} deadline
	shift || true
	if [[ ! $secs =~ ^[0-9]+(\.[0-9]+)?$ ]]; then _lab_err "lab_wait: SECONDS first, got '$secs'"; return 1; fi
	deadline=$(awk -v n="${EPOCHREALTIME/,/.}" -v s="$secs" 'BEGIN { printf "%.6f", n + s }')
	local -a argv
	local fn=0
	case ${1:-} in
	lab_exec | lab_as) _lab_argv "$@" || return 1; argv=("${_LAB_ARGV[@]}") ;;
	*)
		argv=("$@")
		if declare -F -- "$1" >/dev/null; then fn=1; fi
		;;
	esac
	while :; do
		if ((fn)); then
			if "${argv[@]}" >/dev/null 2>&1; then return 0; fi
		elif timeout -k 1 "$secs" "${argv[@]}" >/dev/null 2>&1; then
			return 0
		fi
		if awk -v n="${EPOCHREALTIME/,/.}" -v d="$deadline" 'BEGIN { exit !(n > d) }'; then
			_lab_err "lab_wait: gave up after ${secs}s: $*"
			return 1
		fi
		sleep 0.05
	done
}
