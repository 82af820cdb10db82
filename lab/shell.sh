#!/usr/bin/env bash
# lab/shell.sh - `make lab-shell`: the tour's network (lab/topology.bash), left
# up, with an interactive bash inside the client namespace: PATH starts with
# the built tools, dnsq uses the lab's root hints unless given --root-hints,
# and `labns NAME CMD...` runs CMD in another namespace of the lab (r1, server,
# host2, ...). Everything is torn down when the shell exits, on a hang-up, or
# if this script is killed (the lab library's reaper).
#
#   lab/shell.sh           needs root; ND_BUILD = the build tree (default: repo)
#
# Exit: the shell's own exit status; 2 when the lab could not be built.
set -u

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=topology.bash
source "$LAB_SRC/topology.bash"
# a lab of our own, even when started from inside another lab's shell
unset LAB_DIR LAB_PREFIX LAB_NS

if ((EUID != 0)); then
	echo "lab: the lab needs root (it creates network namespaces): sudo make lab-shell" >&2
	exit 2
fi

PREFIX=
shell_teardown() {
	if [[ -n ${LAB_DIR:-} ]]; then
		lab_cleanup
		if ! ip netns list 2>/dev/null | grep -q "^$PREFIX"; then
			echo "lab: torn down (namespaces ${PREFIX}* removed)"
		fi
	fi
}
trap 'shell_teardown' EXIT
# Ctrl-C belongs to the interactive shell (it stops the command running there)
trap ':' INT
trap 'shell_teardown; trap - EXIT; exit 143' TERM HUP

LAB_NO_TRAP=1 lab_init || exit 2
PREFIX=$LAB_PREFIX
echo "netdiag lab: building the network (namespaces ${PREFIX}*) ..."
if ! labnet_up; then
	lab_dump
	echo "lab: the network could not be built" >&2
	exit 2
fi

missing=
for t in $LABNET_TOOLS_LIST; do
	if [[ ! -x $LABNET_TOOLS/$t ]]; then missing+=" $t"; fi
done

rc=$LAB_DIR/run/bashrc
cat >"$rc" <<EOF
# the lab shell's rc file (written by lab/shell.sh)
export PATH="$LABNET_TOOLS:\$PATH"
export LAB_PREFIX="$PREFIX" LAB_DIR="$LAB_DIR" LAB_ROOT_HINTS="$LAB_SRC/root.hints"
# labns NAME CMD...: run CMD in another namespace of the lab (default: a shell)
labns() {
	local n=\${1:?usage: labns NAME [CMD...]}
	shift
	if ((\$# == 0)); then set -- bash --norc; fi
	ip netns exec "\$LAB_PREFIX\$n" "\$@"
}
PS1='netdiag-lab client:\\w# '
cd "$LAB_SRC/.."
cat <<'BANNER'
$(labnet_map)

You are root in the namespace "client". The tools in PATH: $LABNET_TOOLS_LIST
(dnsq walks the lab's root: lab/root.hints). Try:
  ping -c 3 server            traceroute --mtu server      arping -c 2 10.8.1.30
  dhcpc lan                   dnsq -T www.school.lab       tcpprobe -S server 80,81,82
  labns server tcpdump -ni dmz tcp     (another namespace: r1 r2 r3 server host2 ...)
Exercises: lab/README.md.   exit (or Ctrl-D) tears the lab down.
BANNER
EOF
if [[ -n $missing ]]; then
	echo "echo 'lab: not built yet:$missing (make them, then they appear here)'" >>"$rc"
fi

ip netns exec "$(lab_nsname client)" bash --rcfile "$rc" -i
status=$?
exit "$status"
