# shellcheck shell=bash
# lab/topology.bash - the teaching network of `make lab` and `make lab-shell`,
# built with tests/lib/lab.bash (network namespaces, nothing connected to the
# host: no packet can leave the lab). Sourced by lab/tour.sh and lab/shell.sh.
#
#   labnet_up        (after lab_init) every namespace, link, route, firewall rule
#                    and daemon below; $LABNET_TOOLS holds the tools (symlinks
#                    to $ND_BUILD/<tool>/<tool>, dnsq wrapped with the lab's root
#                    hints). Returns non-zero with a "lab: ..." message on failure.
#   labnet_map       print the map of the network
#   labnet_ns NAME   the full namespace name (e.g. of "client")
#
# The network (labnet_map prints it): a client on a bridged LAN with a DHCP
# server (dnsmasq) and three hosts, two of them holding the same address; three
# routers in a chain, the r1-r2 link at MTU 1280, r3 silent (nft drops the ICMP
# time exceeded it would send); behind r3 a DMZ with a server (TCP 80 open: a
# real web server, 81 closed, 82 filtered by nft) and four nsd name servers.
# DNS: . -> lab. -> school.lab (glue) ; www.school.lab CNAME
# web.physics.school.lab ; physics.school.lab is delegated to ns.hosting.lab
# without glue (that name lies in hosting.lab, another zone).

LABNET_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${ND_BUILD:=$(cd "$LABNET_SRC/.." && pwd)}"
LABNET_TOOLS_LIST="ping traceroute arping dhcpc dnsq tcpprobe"
LABNET_CLIENT_MAC=02:00:00:08:01:0a

# shellcheck source=../tests/lib/lab.bash
source "$LABNET_SRC/../tests/lib/lab.bash"

labnet_map() {
	cat <<'EOF'
                      LAN 10.8.1.0/24
   client 10.8.1.10 --+-- dhcp 10.8.1.2 (dnsmasq)  host1 10.8.1.21
                      |   host2 10.8.1.30   host3 10.8.1.30  (same address!)
                  r1 10.8.1.1
                      |  10.8.12.0/24   MTU 1280
                  r2 10.8.12.2
                      |  10.8.23.0/24   MTU 1500
                  r3 10.8.23.3  (silent: sends no ICMP time exceeded)
                      |  DMZ 10.8.3.0/24
   server 10.8.3.10 (web.physics.school.lab; tcp 80 open, 81 closed, 82 filtered)
   DNS: root 10.8.3.11 (a.root-servers.lab)  lab. 10.8.3.12 (ns1.nic.lab)
        school.lab 10.8.3.13 (ns1.school.lab)
        hosting.lab + physics.school.lab 10.8.3.14 (ns.hosting.lab, no glue)
EOF
}

labnet_ns() { lab_nsname "$1"; }

_labnet_step() {
	if ! "$@"; then
		_lab_err "setting up the lab failed at: $*"
		return 1
	fi
}

# _labnet_nsd NAME: start nsd from lab/nsd/NAME.conf in namespace NAME
_labnet_nsd() {
	local n=$1 conf=$LAB_DIR/run/nsd-$1.conf
	sed -e "s|@RUN@|$LAB_DIR/run|g" -e "s|@ZONES@|$LABNET_SRC/zones|g" \
		"$LABNET_SRC/nsd/$n.conf" >"$conf" || return 1
	lab_bg "$n" /usr/sbin/nsd -d -c "$conf"
}

# _labnet_listening NS PROTO PORT: something listens there
_labnet_listening() {
	lab_exec "$1" ss -Hln"$2" "sport = :$3" | grep -q .
}

# _labnet_tools: $LAB_DIR/tools, the PATH entry of the lab's shell
_labnet_tools() {
	local t d=$LAB_DIR/tools
	mkdir -p "$d" || return 1
	for t in $LABNET_TOOLS_LIST; do
		if [[ -x $ND_BUILD/$t/$t ]]; then ln -sf "$ND_BUILD/$t/$t" "$d/$t"; fi
	done
	# dnsq walks the lab's own root by default (unless told otherwise)
	if [[ -x $ND_BUILD/dnsq/dnsq ]]; then
		rm -f "$d/dnsq"
		cat >"$d/dnsq" <<EOF
#!/bin/sh
# the lab's dnsq: the private root hints unless --root-hints is given
for a in "\$@"; do
	case \$a in --root-hints|--root-hints=*) exec "$ND_BUILD/dnsq/dnsq" "\$@" ;; esac
done
exec "$ND_BUILD/dnsq/dnsq" --root-hints "$LABNET_SRC/root.hints" "\$@"
EOF
		chmod 0755 "$d/dnsq"
	fi
	# shellcheck disable=SC2034  # used by tour.sh and shell.sh
	LABNET_TOOLS=$d
}

labnet_up() {
	local n
	_lab_need || return 1
	for n in client r1 r2 r3 dhcp host1 host2 host3 server root tld school hosting; do
		_labnet_step lab_ns "$n" >/dev/null || return 1
	done
	# the LAN: a bridge with the client, the DHCP server, three hosts and r1
	_labnet_step lab_bridge lan client=10.8.1.10/24 r1=10.8.1.1/24 dhcp=10.8.1.2/24 \
		host1=10.8.1.21/24 host2=10.8.1.30/24 host3=10.8.1.30/24 || return 1
	ip -n "$(lab_nsname client)" link set lan address "$LABNET_CLIENT_MAC" || return 1
	ip -n "$(lab_nsname host1)" link set lan address 02:00:00:08:01:15 || return 1
	ip -n "$(lab_nsname host2)" link set lan address 02:00:00:08:01:1e || return 1
	ip -n "$(lab_nsname host3)" link set lan address 02:00:00:08:01:2e || return 1
	ip -n "$(lab_nsname r1)" link set lan address 02:00:00:08:01:01 || return 1
	ip -n "$(lab_nsname dhcp)" link set lan address 02:00:00:08:01:02 || return 1
	# the routers: r1 -(MTU 1280)- r2 - r3
	_labnet_step lab_link r1 r2 mtu=1280 10.8.12.1/24 10.8.12.2/24 || return 1
	_labnet_step lab_link r2 r3 10.8.23.2/24 10.8.23.3/24 || return 1
	# the DMZ behind r3: the server and the four name servers
	_labnet_step lab_bridge dmz r3=10.8.3.1/24 server=10.8.3.10/24 root=10.8.3.11/24 \
		tld=10.8.3.12/24 school=10.8.3.13/24 hosting=10.8.3.14/24 || return 1
	for n in r1 r2 r3; do _labnet_step lab_router "$n" || return 1; done
	# routes: no default route on any router, so nothing has a way out
	for n in client dhcp host1 host2 host3; do
		_labnet_step lab_route "$n" default via 10.8.1.1 || return 1
	done
	for n in server root tld school hosting; do
		_labnet_step lab_route "$n" default via 10.8.3.1 || return 1
	done
	_labnet_step lab_route r1 10.8.23.0/24 via 10.8.12.2 || return 1
	_labnet_step lab_route r1 10.8.3.0/24 via 10.8.12.2 || return 1
	_labnet_step lab_route r2 10.8.1.0/24 via 10.8.12.1 || return 1
	_labnet_step lab_route r2 10.8.3.0/24 via 10.8.23.3 || return 1
	_labnet_step lab_route r3 10.8.1.0/24 via 10.8.23.2 || return 1
	_labnet_step lab_route r3 10.8.12.0/24 via 10.8.23.2 || return 1
	# the silent router: it forwards, but never says "time exceeded"
	_labnet_step lab_nft r3 output 'icmp type time-exceeded drop' || return 1
	_labnet_step lab_nft r3 output 'icmpv6 type time-exceeded drop' || return 1
	# the server: 80 open (a real web server), 81 closed (the kernel's RST),
	# 82 filtered (dropped without a word)
	_labnet_step lab_nft server input 'tcp dport 82 drop' || return 1
	mkdir -p "$LAB_DIR/www" || return 1
	echo "netdiag lab: hello from web.physics.school.lab" >"$LAB_DIR/www/index.html"
	_labnet_step lab_bg server python3 -m http.server 80 --bind 10.8.3.10 \
		--directory "$LAB_DIR/www" || return 1
	# names for the client (reverse lookups of traceroute, ping server)
	_labnet_step lab_hosts client '10.8.1.1 r1' '10.8.12.1 r1' '10.8.12.2 r2' '10.8.23.2 r2' \
		'10.8.23.3 r3' '10.8.3.1 r3' '10.8.1.2 dhcp' '10.8.1.21 host1' \
		'10.8.3.10 server web.physics.school.lab' '10.8.3.11 a.root-servers.lab' \
		'10.8.3.12 ns1.nic.lab' '10.8.3.13 ns1.school.lab' '10.8.3.14 ns.hosting.lab' || return 1
	# the DNS hierarchy
	for n in root tld school hosting; do _labnet_step _labnet_nsd "$n" || return 1; done
	# DHCP on the LAN
	: >"$LAB_DIR/run/dnsmasq.leases"
	_labnet_step lab_bg dhcp /usr/sbin/dnsmasq --no-daemon --conf-file="$LABNET_SRC/dnsmasq.conf" \
		--dhcp-leasefile="$LAB_DIR/run/dnsmasq.leases" --pid-file="$LAB_DIR/run/dnsmasq.pid" \
		--log-facility="$LAB_DIR/log/dnsmasq.log" --user=root --group=root || return 1
	# wait for every daemon to listen
	_labnet_step lab_wait 10 _labnet_listening server t 80 || return 1
	for n in root tld school hosting; do
		_labnet_step lab_wait 10 _labnet_listening "$n" u 53 || return 1
	done
	_labnet_step lab_wait 10 _labnet_listening dhcp u 67 || return 1
	_labnet_tools || return 1
	return 0
}
