#!/usr/bin/env bash
# bench/dhcpc.sh - DORA time of dhcpc against busybox udhcpc, ISC dhclient and
# dhcpcd, in one run, on the same lab LAN (namespaces only: the interface
# "lan" exists nowhere else) with the same dnsmasq server (--no-ping, so the
# server answers at once).  Each client runs one-shot, configures nothing
# (scripts are /bin/true, dhcpcd runs with -T), RUNS times; the median wall
# time per client and its ratio to dhcpc's are printed.  Goal: dhcpc is as
# fast as the fastest (ratio fastest/dhcpc >= 1 is "ok"; within 25% passes).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
# shellcheck source=tests/lib/lab.bash
source "$root/tests/lib/lab.bash"
# shellcheck source=tests/lib/dhcpc.bash
source "$root/tests/lib/dhcpc.bash"

RUNS=${RUNS:-7}
BIN=${ND_BUILD:-$root}/dhcpc/dhcpc
[[ $EUID -eq 0 ]] || { echo "bench/dhcpc.sh: needs root (network namespaces)" >&2; exit 2; }
bench_need "$BIN" /usr/sbin/dnsmasq /usr/bin/time perl || exit 2
have() { command -v "$1" >/dev/null 2>&1; }

lab_init
trap 'lab_cleanup' EXIT
dhcpc_lan
dhcpc_dnsmasq srv main --dhcp-range=10.67.0.100,10.67.0.150,255.255.255.0,10m \
	--dhcp-option=option:router,10.67.0.1 --dhcp-option=option:dns-server,10.67.0.1 || exit 2
ns=$(lab_nsname cli)
out=$LAB_DIR/bench
mkdir -p "$out"
printf 'nodelay\nnoarp\nnoipv4ll\nnohook resolv.conf\n' >"$out/dhcpcd.conf"

declare -A med ok
run_client() {   # NAME CMD...
	local name=$1 i
	shift
	: >"$out/$name.walls"
	ok[$name]=0
	for ((i = 0; i < RUNS; i++)); do
		if bench_measure -n "$ns" "$out/$name.$i" timeout 20 "$@"; then
			ok[$name]=$((ok[$name] + 1))
			cat "$out/$name.$i.wall" >>"$out/$name.walls"
		elif [[ $name == dhcpcd && $(<"$out/$name.$i.rc") == 139 ]]; then
			# dhcpcd 9.4.1 -T segfaults after printing the lease (Debian #1041204):
			# the lease was obtained, so the time counts
			if grep -q "new_ip_address=" "$out/$name.$i.out"; then
				ok[$name]=$((ok[$name] + 1))
				cat "$out/$name.$i.wall" >>"$out/$name.walls"
			fi
		fi
		# dhclient forks a daemon once bound; dhcpcd leaves privsep helpers
		if [[ -f $out/dhclient.pid ]]; then kill "$(<"$out/dhclient.pid")" 2>/dev/null; rm -f "$out/dhclient.pid"; fi
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
	done
	med[$name]=$(bench_median <"$out/$name.walls")
}

run_client dhcpc "$BIN" lan
if have busybox; then run_client udhcpc busybox udhcpc -i lan -n -q -f -s /bin/true; fi
if have dhclient; then
	run_client dhclient dhclient -1 -sf /bin/true -lf "$out/dhclient.leases" -pf "$out/dhclient.pid" lan
fi
if have dhcpcd; then run_client dhcpcd dhcpcd -f "$out/dhcpcd.conf" -4 -1 -T -t 10 lan; fi

echo "DORA on a veth LAN against dnsmasq $(dnsmasq --version | awk 'NR==1{print $3}'), $RUNS runs each, median wall time"
bench_table 10 12 8 16 -- client "median ms" "ok" "ratio to dhcpc"
fastest=
for c in dhcpc udhcpc dhclient dhcpcd; do
	[[ -n ${med[$c]:-} ]] || continue
	ms=$(awk -v s="${med[$c]}" 'BEGIN { printf "%.1f", s * 1000 }')
	bench_table 10 12 8 16 -- "$c" "$ms" "${ok[$c]}/$RUNS" "$(bench_ratio "${med[$c]}" "${med[dhcpc]}")"
	if [[ $c != dhcpc && -n ${med[$c]} ]] && { [[ -z $fastest ]] || awk -v a="${med[$c]}" -v b="${med[$fastest]}" 'BEGIN{exit !(a<b)}'; }; then fastest=$c; fi
done
if [[ -n $fastest ]]; then
	r=$(bench_ratio "${med[$fastest]}" "${med[dhcpc]}")
	echo "fastest model: $fastest; $fastest/dhcpc = $r (goal >= 0.8, as fast as the fastest): $(bench_goal "$r" ge 0.8)"
fi
[[ ${ok[dhcpc]} -eq $RUNS ]]
