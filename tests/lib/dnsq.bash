# shellcheck shell=bash
# tests/lib/dnsq.bash - the private DNS hierarchy dnsq's tests walk.
#
# dnsq_lab_up builds, on one bridged LAN (10.53.0.0/24, fd53::/64):
#   client  10.53.0.100        where dnsq runs
#   root    10.53.0.1  fd53::1 nsd: "."
#   tld     10.53.0.2  fd53::2 nsd: lab., test., in-addr.arpa.
#   ex      10.53.0.3  fd53::3 nsd: example.lab., mixed.lab., slow.lab., 2.0.192.in-addr.arpa.,
#                              split.lab., drift.lab., sick.lab. (--all-servers)
#   ex2     10.53.0.5          nsd: a second copy of split.lab. (another SOA serial and
#                              answer) and of drift.lab. (whose NS set differs from lab.'s)
#   prov    10.53.0.4  fd53::4 nsd: provider.test., oob.lab. (oob.lab's NS has no glue)
#   lame    10.53.0.6          nsd with an unrelated zone: REFUSED for everything
#           10.53.0.7          silent: nft drops DNS to it
# sick.lab.'s four NS are: ex (good), tld (lame: a referral without AA), .6
# (REFUSED) and .7 (silent).
#   evil    10.53.0.8, .9      tests/peers/dnsq-hostile.py ("evil." and an impostor)
# and the hints file $DNSQ_HINTS (named.root format) naming a.root-servers.lab.
# Each nsd runs in the foreground in its namespace as root, with its own
# config, zone directory and pid file, bound to its lab addresses only.

DNSQ_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DNSQ=${ND_BUILD:-$(cd "$DNSQ_LIB_DIR/../.." && pwd)}/dnsq/dnsq

_dnsq_soa() { # ZONE-ORIGIN-NS
	printf '$TTL 3600\n@ IN SOA %s hostmaster.lab. 2024010101 3600 900 604800 300\n' "$1"
}

# _dnsq_nsd NS NAME ADDR... -- ZONE... : zone files must exist in $LAB_DIR/dns/NAME
_dnsq_nsd() {
	local ns=$1 name=$2 dir=$LAB_DIR/dns/$2 conf z f
	shift 2
	conf=$dir/nsd.conf
	{
		echo "server:"
		while [[ $1 != -- ]]; do echo "  ip-address: $1"; shift; done
		shift
		echo "  port: 53"
		echo "  username: \"\""
		echo "  chroot: \"\""
		echo "  zonesdir: \"$dir\""
		echo "  pidfile: \"$dir/nsd.pid\""
		echo "  database: \"\""
		echo "  xfrdfile: \"$dir/xfrd.state\""
		echo "  xfrdir: \"$dir\""
		echo "  zonelistfile: \"$dir/zone.list\""
		echo "  logfile: \"$dir/nsd.log\""
		echo "  server-count: 1"
		echo "  verbosity: 1"
		echo "  minimal-responses: no"
		echo "remote-control:"
		echo "  control-enable: no"
		for z in "$@"; do
			echo "zone:"
			echo "  name: \"$z\""
			f=${z%.}
			echo "  zonefile: \"${f:-root}.zone\""
		done
	} >"$conf"
	nsd-checkconf "$conf" || return 1
	lab_bg "$ns" nsd -d -c "$conf" || return 1
}

_dnsq_up() { # wait until an nsd answers
	local ns=$1 a=$2 z=$3
	lab_wait 10 _dnsq_probe "$ns" "$a" "$z"
}
_dnsq_probe() {
	lab_exec "$1" dig +norec +time=1 +tries=1 @"$2" "$3" SOA 2>/dev/null | grep -q 'status: NOERROR'
}

dnsq_zones() {
	local d=$LAB_DIR/dns i
	mkdir -p "$d"/{root,tld,ex,ex2,prov,lame}
	{
		_dnsq_soa a.root-servers.lab.
		cat <<'Z'
.			NS	a.root-servers.lab.
lab.			NS	ns1.nic.lab.
test.			NS	ns1.nic.lab.
in-addr.arpa.		NS	ns1.nic.lab.
ns1.nic.lab.		A	10.53.0.2
ns1.nic.lab.		AAAA	fd53::2
a.root-servers.lab.	A	10.53.0.1
a.root-servers.lab.	AAAA	fd53::1
evil.			NS	ns.evil.
ns.evil.		A	10.53.0.8
Z
	} >"$d/root/root.zone"
	{
		_dnsq_soa ns1.nic.lab.
		cat <<'Z'
@		NS	ns1.nic.lab.
ns1.nic		A	10.53.0.2
ns1.nic		AAAA	fd53::2
a.root-servers	A	10.53.0.1
example		NS	ns1.example
ns1.example	A	10.53.0.3
ns1.example	AAAA	fd53::3
oob		NS	ns.provider.test.
lame		NS	ns1.lame
ns1.lame	A	10.53.0.6
mixed		NS	ns0.mixed
mixed		NS	ns1.mixed
ns0.mixed	A	10.53.0.6
ns1.mixed	A	10.53.0.3
slow		NS	ns0.slow
slow		NS	ns1.slow
ns0.slow	A	10.53.0.7
ns1.slow	A	10.53.0.3
dead		NS	ns1.dead
ns1.dead	A	10.53.0.7
circ		NS	ns.circ.test.
split		NS	ns1.split
split		NS	ns2.split
ns1.split	A	10.53.0.3
ns2.split	A	10.53.0.5
drift		NS	ns1.drift
drift		NS	ns2.drift
ns1.drift	A	10.53.0.3
ns2.drift	A	10.53.0.5
sick		NS	ns1.sick
sick		NS	ns2.sick
sick		NS	ns3.sick
sick		NS	ns4.sick
ns1.sick	A	10.53.0.3
ns2.sick	A	10.53.0.2
ns3.sick	A	10.53.0.6
ns4.sick	A	10.53.0.7
Z
	} >"$d/tld/lab.zone"
	{
		_dnsq_soa ns1.nic.lab.
		cat <<'Z'
@		NS	ns1.nic.lab.
provider	NS	ns.provider
ns.provider	A	10.53.0.4
ns.provider	AAAA	fd53::4
circ		NS	ns.circ.lab.
Z
	} >"$d/tld/test.zone"
	{
		_dnsq_soa ns1.nic.lab.
		printf '@\tNS\tns1.nic.lab.\n2.0.192\tNS\tns1.example.lab.\n'
	} >"$d/tld/in-addr.arpa.zone"
	local big x250
	x250=$(printf 'x%.0s' {1..250})
	big=$(for i in 1 2 3 4 5 6 7 8; do printf '"%s%s" ' "$i" "$x250"; done)
	{
		_dnsq_soa ns1.example.lab.
		cat <<Z
@		NS	ns1
@		MX	10 mail
@		TXT	"v=spf1 -all"
@		CAA	0 issue "ca.lab"
@		DNSKEY	257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
ns1		A	10.53.0.3
ns1		AAAA	fd53::3
www		A	192.0.2.80
www		AAAA	2001:db8::80
mail		A	192.0.2.25
_sip._tcp	SRV	10 5 5060 www
txtonly		TXT	"only text"
big		TXT	$big
alias		CNAME	www.oob.lab.
signed		NS	ns1
signed		DS	12345 13 2 3490A6806D47F17A34C29E2CE80E8A999FFBE4BE7B6C4B8E7E1F3C64F2B3D1F5
unknown		TYPE65534 \# 4 DEADBEEF
loop1		CNAME	loop2.oob.lab.
Z
		for i in 0 2 4 6; do echo "a$i CNAME a$((i + 1)).oob.lab."; done
		echo "a8 A 192.0.2.88"
		for i in $(seq 0 2 18); do echo "b$i CNAME b$((i + 1)).oob.lab."; done
		echo "b20 A 192.0.2.120"
	} >"$d/ex/example.lab.zone"
	{ _dnsq_soa ns1.mixed.lab.; printf '@ NS ns0\n@ NS ns1\nns0 A 10.53.0.6\nns1 A 10.53.0.3\nwww A 192.0.2.82\n'; } >"$d/ex/mixed.lab.zone"
	{ _dnsq_soa ns1.slow.lab.; printf '@ NS ns0\n@ NS ns1\nns0 A 10.53.0.7\nns1 A 10.53.0.3\nwww A 192.0.2.83\n'; } >"$d/ex/slow.lab.zone"
	{ _dnsq_soa ns1.example.lab.; printf '@ NS ns1.example.lab.\n80 PTR www.example.lab.\n'; } >"$d/ex/2.0.192.in-addr.arpa.zone"
	{ _dnsq_soa ns.provider.test.; printf '@ NS ns\nns A 10.53.0.4\nns AAAA fd53::4\n'; } >"$d/prov/provider.test.zone"
	# --all-servers: split.lab. differs in serial and answer between its two
	# servers; drift.lab.'s own NS set (ns1, ns3) is not lab.'s (ns1, ns2)
	local split='@ NS ns1\n@ NS ns2\nns1 A 10.53.0.3\nns2 A 10.53.0.5\n'
	{ _dnsq_soa ns1.split.lab.; printf "$split"'www A 192.0.2.84\n'; } >"$d/ex/split.lab.zone"
	{ _dnsq_soa ns1.split.lab. | sed 's/2024010101/2024010102/'; printf "$split"'www A 192.0.2.85\n'; } >"$d/ex2/split.lab.zone"
	{ _dnsq_soa ns1.drift.lab.; printf '@ NS ns1\n@ NS ns3\nns1 A 10.53.0.3\nns3 A 10.53.0.5\nwww A 192.0.2.86\n'; } >"$d/ex/drift.lab.zone"
	cp "$d/ex/drift.lab.zone" "$d/ex2/drift.lab.zone"
	{
		_dnsq_soa ns1.sick.lab.
		printf '@ NS ns1\n@ NS ns2\n@ NS ns3\n@ NS ns4\nns1 A 10.53.0.3\nns2 A 10.53.0.2\n'
		printf 'ns3 A 10.53.0.6\nns4 A 10.53.0.7\nwww A 192.0.2.87\n'
	} >"$d/ex/sick.lab.zone"
	{
		_dnsq_soa ns.provider.test.
		printf '@ NS ns.provider.test.\nwww A 192.0.2.81\nloop2 CNAME loop1.example.lab.\n'
		for i in 1 3 5 7; do echo "a$i CNAME a$((i + 1)).example.lab."; done
		for i in $(seq 1 2 19); do echo "b$i CNAME b$((i + 1)).example.lab."; done
	} >"$d/prov/oob.lab.zone"
	{ _dnsq_soa ns.unrelated.invalid.; printf '@ NS ns\nns A 10.53.0.6\n'; } >"$d/lame/unrelated.invalid.zone"
	cat >"$d/hints" <<'Z'
; private root hints, named.root format
.                        3600000      NS    A.ROOT-SERVERS.LAB.
A.ROOT-SERVERS.LAB.      3600000      A     10.53.0.1
A.ROOT-SERVERS.LAB.      3600000      AAAA  fd53::1
Z
	DNSQ_HINTS=$d/hints
	export DNSQ_HINTS
}

# dnsq_lab_up [MEMBER=ADDRS]: the hierarchy; the client joins the LAN as
# 10.53.0.100 unless another first member is given (bench/dnsq.sh puts a
# router there and the client behind a delayed link).
dnsq_lab_up() {
	local first=${1:-client=10.53.0.100/24,fd53::100/64}
	lab_ns "${first%%=*}" >/dev/null || return 1
	local n
	for n in root tld ex ex2 prov lame evil; do lab_ns "$n" >/dev/null || return 1; done
	lab_bridge dnslan "$first" root=10.53.0.1/24,fd53::1/64 \
		tld=10.53.0.2/24,fd53::2/64 ex=10.53.0.3/24,fd53::3/64 prov=10.53.0.4/24,fd53::4/64 \
		ex2=10.53.0.5/24 \
		lame=10.53.0.6/24,10.53.0.7/24 evil=10.53.0.8/24,10.53.0.9/24 || return 1
	lab_nft lame input 'ip daddr 10.53.0.7 udp dport 53 drop' || return 1
	lab_nft lame input 'ip daddr 10.53.0.7 tcp dport 53 drop' || return 1
	dnsq_zones || return 1
	_dnsq_nsd root root 10.53.0.1 fd53::1 -- . || return 1
	_dnsq_nsd tld tld 10.53.0.2 fd53::2 -- lab. test. in-addr.arpa. || return 1
	_dnsq_nsd ex ex 10.53.0.3 fd53::3 -- example.lab. mixed.lab. slow.lab. 2.0.192.in-addr.arpa. \
		split.lab. drift.lab. sick.lab. || return 1
	_dnsq_nsd ex2 ex2 10.53.0.5 -- split.lab. drift.lab. || return 1
	_dnsq_nsd prov prov 10.53.0.4 fd53::4 -- provider.test. oob.lab. || return 1
	_dnsq_nsd lame lame 10.53.0.6 -- unrelated.invalid. || return 1
	: >"$LAB_DIR/dns/evil.log"
	lab_bg evil python3 "$DNSQ_LIB_DIR/../peers/dnsq-hostile.py" 10.53.0.8 10.53.0.9 "$LAB_DIR/dns/evil.log" || return 1
	_dnsq_up root 10.53.0.1 . || return 1
	_dnsq_up tld 10.53.0.2 lab. || return 1
	_dnsq_up ex 10.53.0.3 example.lab. || return 1
	_dnsq_up ex2 10.53.0.5 split.lab. || return 1
	_dnsq_up prov 10.53.0.4 oob.lab. || return 1
	lab_wait 10 _dnsq_probe_evil || return 1
}

_dnsq_probe_evil() {
	lab_exec evil dig +norec +time=1 +tries=1 @10.53.0.8 x.evil A 2>/dev/null | grep -q 'status: NXDOMAIN'
}
