# shellcheck shell=bash
# tests/lib/tcpprobe.bash - the tcpprobe lab: a client, a router and a server
# with one port of every kind, and a far host behind a delayed link.
#
#   client 10.30.1.2 fd30:1::2 -- router 10.30.1.1/10.30.2.1 fd30:1::1/fd30:2::1
#          -- server 10.30.2.2 fd30:2::2
#   router 10.30.3.1 fd30:3::1 == (vde2 wirefilter, 5 ms each way) == far 10.30.3.2 fd30:3::2
#
# server ports (IPv4 and IPv6 alike):
#   8080 open (socat listener)             8081 closed (kernel RST)
#   8082 filtered: nft drop (server)       8083 filtered: icmp admin-prohibited from the router
#   8084 filtered: icmp port-unreachable from the server itself
#   8087 open, the router clamps the SYN-ACK's MSS to 1200
# far: 8080 open.
#
# Usage: tp_lab_build (after lab_init); then TP_CLIENT, TP_SERVER, TP_ROUTER, TP_FAR.

TP_BIN=${ND_BUILD:-$(cd "$LAB_LIB_DIR/../.." && pwd)}/tcpprobe/tcpprobe

# tp_listen NS PORT: a real TCP listener (socat) on v4 and v6, waited for
tp_listen() {
	local ns=$1 port=$2
	lab_bg "$ns" socat "TCP4-LISTEN:$port,fork,reuseaddr" EXEC:/bin/true
	lab_bg "$ns" socat "TCP6-LISTEN:$port,fork,reuseaddr,ipv6only=1" EXEC:/bin/true
	lab_wait 5 _tp_listening "$ns" "$port"
}

_tp_listening() {
	[[ $(lab_exec "$1" ss -Hltn "sport = :$2" | wc -l) -ge 2 ]]
}

tp_lab_build() {
	TP_CLIENT=$(lab_ns client)
	TP_ROUTER=$(lab_ns router)
	TP_SERVER=$(lab_ns server)
	TP_FAR=$(lab_ns far)
	lab_link client router 10.30.1.2/24 10.30.1.1/24 fd30:1::2/64 fd30:1::1/64
	lab_link router server 10.30.2.1/24 10.30.2.2/24 fd30:2::1/64 fd30:2::2/64
	lab_impair_link router far 5 0 0 neigh=static 10.30.3.1/24 10.30.3.2/24 fd30:3::1/64 fd30:3::2/64
	lab_router router
	lab_route client default via 10.30.1.1
	lab_route client default via fd30:1::1
	lab_route server default via 10.30.2.1
	lab_route server default via fd30:2::1
	lab_route far default via 10.30.3.1
	lab_route far default via fd30:3::1
	lab_nft server input 'tcp dport 8082 drop'
	lab_nft server input 'tcp dport 8084 reject with icmpx type port-unreachable'
	lab_nft router forward 'tcp dport 8083 reject with icmpx type admin-prohibited'
	lab_nft router forward 'tcp sport 8087 tcp flags & (syn | ack) == syn | ack tcp option maxseg size set 1200'
	tp_listen server 8080
	tp_listen server 8087
	tp_listen far 8080
}

# tp_mask: numbers in tcpprobe output replaced by N (formats compared, not values)
tp_mask() {
	sed -E 's/[0-9]+(\.[0-9]+)?/N/g'
}
