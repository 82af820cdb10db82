#!/usr/bin/env bats
# tests/60-dhcpc.bats - dhcpc end to end on a bridged LAN in namespaces:
# dnsmasq (Debian's) as the server, a second dnsmasq for --offers, a host
# holding an address for --arp-check, and a test-only hostile server
# (tests/peers/dhcpc-hostile.c) for malformed replies, and in its "plain"
# mode for a lease shorter than dnsmasq's 120 s minimum (expiry).  The -f
# tests use dnsmasq's short T1/T2 (options 58/59), nft drops, restarts with
# another range and SIGUSR1/2 to reach RENEWING, REBINDING, NAK and RELEASE
# in seconds.  No DHCP client ever runs on a real interface: "lan" exists
# only inside the lab.

load lib/lab
load lib/dhcpc

BIN=${ND_BUILD:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}/dhcpc/dhcpc

# MACs with a role in the server's configuration (and 02:00:00:00:60:21, new to it, for -r)
MAC_IGNORED=02:00:00:00:60:99   # dnsmasq ignores it: "no server" cases, hostile server
MAC_HELD=02:00:00:00:60:77      # dnsmasq assigns it 10.67.0.77, which "holder" already has
MAC_SHORT=02:00:00:00:60:0f     # dnsmasq gives it T1 2 s, T2 4 s
MAC_FIXED=02:00:00:00:60:42     # dnsmasq gives it 10.67.0.142
MAC_ROUTES=02:00:00:00:60:12    # dnsmasq gives it 10.67.0.112 and option 121 routes
MAC_REL=02:00:00:00:60:43       # dnsmasq gives it 10.67.0.143 (SIGUSR2 test)
MAC_HELD2=02:00:00:00:60:78     # dnsmasq assigns it 10.67.0.78, which "holder" gets in the -f DECLINE test

setup_file() {
	[[ $EUID -eq 0 ]] || { echo "60-dhcpc.bats needs root (network namespaces)" >&2; return 1; }
	[[ -x $BIN ]] || { echo "build dhcpc first: $BIN" >&2; return 1; }
	lab_init
	dhcpc_lan
	dhcpc_dnsmasq srv main --dhcp-range=10.67.0.100,10.67.0.150,255.255.255.0,10m \
		--dhcp-option=option:router,10.67.0.1 --dhcp-option=option:dns-server,10.67.0.1 \
		--dhcp-option=option:domain-name,lab.test --dhcp-authoritative \
		--dhcp-host="$MAC_IGNORED,ignore" --dhcp-host="$MAC_HELD,10.67.0.77" \
		--dhcp-host="$MAC_FIXED,10.67.0.142" \
		--dhcp-host="$MAC_SHORT,10.67.0.115,set:short,2m" \
		--dhcp-option=tag:short,option:T1,2 --dhcp-option=tag:short,option:T2,4 \
		--dhcp-host="$MAC_ROUTES,10.67.0.112,set:routes" --dhcp-host="$MAC_REL,10.67.0.143" \
		--dhcp-host="$MAC_HELD2,10.67.0.78" \
		--dhcp-option=tag:routes,121,10.99.1.0/24,10.67.0.1,10.98.0.0/16,10.67.0.1
	export LAB_PREFIX LAB_DIR DHCPC_PID_main
	cc -O1 -o "$LAB_DIR/bin/dhcpc-hostile" "$BATS_TEST_DIRNAME/peers/dhcpc-hostile.c"
}

teardown_file() { lab_cleanup --force; }
teardown() { lab_teardown; }

LOG() { cat "$LAB_DIR/main.log"; }

@test "usage: --help exits 0, bad options and values exit 2 with one line" {
	run_t 5 -0 "$BIN" --help
	assert_line --partial 'Usage: '
	assert_output --partial '--offers'
	run_t 5 -0 "$BIN" --version
	assert_output --regexp '^dhcpc \(netdiag\) [0-9.]+$'
	run_t 5 -2 "$BIN"
	assert_output --partial 'interface required'
	run_t 5 -2 "$BIN" -r 10.1.1 lan
	assert_output "$BIN: invalid address: '10.1.1'"
	run_t 5 -2 "$BIN" -H 'bad;name' lan
	run_t 5 -2 "$BIN" --timeout 0 lan
	run_t 5 -2 "$BIN" -O nosuchopt lan
	run_t 5 -2 "$BIN" -m ff:ff:ff:ff:ff:ff lan
	run_t 5 -2 "$BIN" --offers --apply lan
	assert_output --partial 'never requests a lease'
	run_t 5 -2 "$BIN" --reboot lan
	run_t 5 -2 lab_exec cli "$BIN" nosuchif0
	assert_output "$BIN: nosuchif0: No such device"
}

@test "DORA against dnsmasq: steps with timings, the lease, exit 0" {
	run_t 15 -0 lab_exec cli "$BIN" lan
	assert_line --regexp '^dhcpc on lan \(02:00:00:00:60:01\)$'
	assert_line --regexp '^ +[0-9]+\.[0-9]{3} ms  DISCOVER xid 0x[0-9a-f]{8}  0\.0\.0\.0:68 -> 255\.255\.255\.255:67 broadcast$'
	assert_line --regexp '^ +[0-9]+\.[0-9]{3} ms  OFFER    xid 0x[0-9a-f]{8}  10\.67\.0\.1:67 -> 10\.67\.0\.1[0-9]{2}:68 unicast  from [0-9a-f:]{17}  offered 10\.67\.0\.1[0-9]{2}  server 10\.67\.0\.1  \(\+[0-9.]+ ms\)$'
	assert_line --regexp '^ +chose the offer of 10\.67\.0\.1[0-9]{2} from 10\.67\.0\.1 \(first usable offer\)$'
	assert_line --regexp '^ +[0-9.]+ ms  REQUEST  xid 0x[0-9a-f]{8}  0\.0\.0\.0:68 -> 255\.255\.255\.255:67 broadcast  requested 10\.67\.0\.1[0-9]{2}  server 10\.67\.0\.1$'
	assert_line --regexp '^ +[0-9.]+ ms  ACK      xid 0x[0-9a-f]{8}  10\.67\.0\.1:67 -> 10\.67\.0\.1[0-9]{2}:68 unicast .* address 10\.67\.0\.1[0-9]{2}  server 10\.67\.0\.1  \(\+[0-9.]+ ms\)$'
	assert_line --regexp '^  address      10\.67\.0\.1[0-9]{2}/24$'
	assert_line '  router       10.67.0.1'
	assert_line '  dns          10.67.0.1'
	assert_line '  domain       lab.test'
	assert_line '  lease time   600 s (T1 300 s, T2 525 s)'
	assert_line '  server       10.67.0.1'
	assert_line --regexp '^lease of 10\.67\.0\.1[0-9]{2} obtained from 10\.67\.0\.1, lease time 600$'
	assert_line --regexp '^timing: DISCOVER->OFFER [0-9.]+ ms, REQUEST->ACK [0-9.]+ ms$'
	assert_line --regexp '^lease: 2 sent, 2 received, 0 ignored \(0 malformed\), [0-9.]+ ms$'
	# the same xid on all four steps
	[[ $(grep -o 'xid 0x[0-9a-f]*' <<<"$output" | sort -u | wc -l) -eq 1 ]]
	# the server saw the whole exchange; nothing was configured
	run LOG
	assert_output --regexp 'DHCPACK\(lan\) 10\.67\.0\.1[0-9]{2} 02:00:00:00:60:01'
	run_t 5 -0 lab_exec cli ip -4 -o addr show dev lan
	assert_output ''
}

@test "--json: step, lease and summary objects, one per line, valid for jq" {
	run_t 15 -0 lab_exec cli "$BIN" --json lan
	run_t 5 -0 jq -c -s 'map(.type)' <<<"$output"
	assert_output --partial '["step","step","note","step","step","lease","summary"]'
	run jq -r 'select(.type=="lease") | "\(.address|test("^10\\.67\\.0\\.1"))/\(.prefix) \(.routers[0]) \(.dns[0]) \(.domain) \(.lease_s) \(.t1_s) \(.t2_s) \(.server_id)"' <<<"$(lab_exec cli timeout 10 "$BIN" --json lan)"
	assert_output 'true/24 10.67.0.1 10.67.0.1 lab.test 600 300 525 10.67.0.1'
	run jq -r 'select(.type=="summary") | "\(.result) \(.exit_code) \(.request_ack_ms > 0)"' <<<"$(lab_exec cli timeout 10 "$BIN" --json lan)"
	assert_output 'lease 0 true'
	run jq -r 'select(.type=="step" and .dir=="recv") | "\(.msg) \(.options["lease-time"]) \(.options["message-type"])"' <<<"$(lab_exec cli timeout 10 "$BIN" --json lan)"
	assert_line 'OFFER 600 2 (OFFER)'
	assert_line 'ACK 600 5 (ACK)'
}

@test "-r ADDR: asked for in DISCOVER (option 50) and granted" {
	run_t 15 -0 lab_exec cli "$BIN" -m 02:00:00:00:60:21 -r 10.67.0.140 lan
	assert_line --regexp 'DISCOVER .* broadcast  requested 10\.67\.0\.140$'
	assert_line --partial 'chose the offer of 10.67.0.140 from 10.67.0.1 (it offers the requested address)'
	assert_line 'lease of 10.67.0.140 obtained from 10.67.0.1, lease time 600'
}

@test "--reboot -r ADDR outside the pool: REQUEST without server id, NAK, exit 1" {
	run_t 15 -1 lab_exec cli "$BIN" --reboot -r 10.67.0.250 lan
	assert_line --regexp 'REQUEST  xid .* broadcast  requested 10\.67\.0\.250$'
	assert_line --regexp 'NAK      xid .* from [0-9a-f:]{17}  yiaddr 0\.0\.0\.0  server 10\.67\.0\.1'
	assert_line --regexp '^warning: NAK from the server: ".+"$'
	assert_line --regexp '^nak: 1 sent, 1 received'
	run LOG
	assert_output --partial 'DHCPNAK(lan) 10.67.0.250 02:00:00:00:60:01'
}

@test "no server answers: RFC 2131 retransmissions within --timeout, exit 1" {
	run_t 15 -1 lab_exec cli "$BIN" -m "$MAC_IGNORED" --timeout 2 --retries 2 lan
	[[ $(grep -c ' DISCOVER xid' <<<"$output") -eq 3 ]]
	assert_line 'warning: no offer within 2.0 s'
	assert_line --regexp '^no offer: 3 sent, 0 received'
	run_t 15 -1 lab_exec cli "$BIN" -m "$MAC_IGNORED" --timeout 1 --retries 0 --json lan
	run jq -r 'select(.type=="summary") | "\(.result) \(.exit_code) \(.sent)"' <<<"$output"
	assert_output 'no offer 1 1'
}

@test "--offers: two servers listed, rogue warning, nothing requested" {
	dhcpc_dnsmasq srv2 rogue --dhcp-range=10.67.0.200,10.67.0.210,255.255.255.0,2m \
		--dhcp-option=option:router,10.67.0.2
	run_t 15 -0 lab_exec cli "$BIN" --offers --timeout 1.5 lan
	dhcpc_stop rogue
	assert_line 'dhcpc on lan (02:00:00:00:60:01): listing offers, nothing will be requested'
	assert_line '2 offers on lan within 1.5 s:'
	assert_line --regexp '^  [12]\. 10\.67\.0\.1[0-9]{2} from server 10\.67\.0\.1 \([0-9a-f:]{17}\) in [0-9.]+ ms$'
	assert_line --regexp '^  [12]\. 10\.67\.0\.2[01][0-9] from server 10\.67\.0\.2 \([0-9a-f:]{17}\) in [0-9.]+ ms$'
	assert_line --regexp '^warning: 2 DHCP servers answered \(10\.67\.0\.[12], 10\.67\.0\.[12]\): all but one may be rogue$'
	refute_output --partial 'REQUEST'
	run cat "$LAB_DIR/rogue.log"
	assert_output --partial 'DHCPOFFER(lan)'
	refute_output --partial 'DHCPREQUEST'
}

@test "--offers with one server: exit 0, no rogue warning; none: exit 1" {
	run_t 15 -0 lab_exec cli "$BIN" --offers --timeout 0.5 --json lan
	run jq -r 'select(.type=="offer") | .server_id' <<<"$output"
	assert_output '10.67.0.1'
	run_t 15 -1 lab_exec cli "$BIN" --offers --timeout 0.5 -m "$MAC_IGNORED" lan
	assert_line '0 offers on lan within 0.5 s:'
}

@test "--arp-check: the address is held by another host, DECLINE seen by the server, exit 1" {
	run_t 15 -1 lab_exec cli "$BIN" --arp-check -m "$MAC_HELD" lan
	assert_line --regexp 'ACK .* address 10\.67\.0\.77  server 10\.67\.0\.1'
	assert_line --regexp '^warning: ARP check: the offered address is in use by [0-9A-F:]{17}: sending DECLINE$'
	assert_line --regexp 'DECLINE  xid 0x[0-9a-f]{8}  0\.0\.0\.0:68 -> 255\.255\.255\.255:67 broadcast  requested 10\.67\.0\.77  server 10\.67\.0\.1$'
	assert_line --regexp '^declined: '
	run LOG
	assert_output --partial 'DHCPDECLINE(lan) 10.67.0.77 02:00:00:00:60:77'
	# a free address passes the check
	run_t 15 -0 lab_exec cli "$BIN" --arp-check -m "$MAC_FIXED" lan
	assert_line 'lease of 10.67.0.142 obtained from 10.67.0.1, lease time 600'
	assert_line --partial 'ARP check: nobody answered for 10.67.0.142'
}

@test "--release: RELEASE unicast to the server right after the lease" {
	run_t 15 -0 lab_exec cli "$BIN" --release -m "$MAC_FIXED" lan
	assert_line --regexp 'RELEASE  xid 0x[0-9a-f]{8}  10\.67\.0\.142:68 -> 10\.67\.0\.1:67 unicast  ciaddr 10\.67\.0\.142  server 10\.67\.0\.1$'
	run LOG
	assert_output --partial 'DHCPRELEASE(lan) 10.67.0.142 02:00:00:00:60:42'
}

@test "-H -C -V -O -m -B reach the server" {
	run_t 15 -0 lab_exec cli "$BIN" -H labhost -C 'ff:00:11:22:33' -V netdiag-test -O 119,ntpsrv -O 26 \
		-m "$MAC_FIXED" -B lan
	# -B: the server broadcasts its replies
	assert_line --regexp 'OFFER    xid .* 10\.67\.0\.1:67 -> 255\.255\.255\.255:68 broadcast'
	run LOG
	assert_output --partial 'client provides name: labhost'
	assert_output --partial 'vendor class: netdiag-test'
	assert_output --partial '119:domain-search'
	assert_output --partial '26:mtu'
	run cat "$LAB_DIR/main.leases"
	assert_output --regexp '02:00:00:00:60:42 10\.67\.0\.142 labhost ff:00:11:22:33'
}

@test "--apply and -s: address, prefix and default route on the interface; hook gets udhcpc's events and variables" {
	cat >"$LAB_DIR/hook" <<-'HOOK'
	#!/bin/sh
	{ echo "event=$1"; env | sort; echo; } >>"${0%/*}/hook.out"
	HOOK
	chmod 755 "$LAB_DIR/hook"
	rm -f "$LAB_DIR/hook.out"
	run_t 15 -0 lab_exec cli "$BIN" --apply -s "$LAB_DIR/hook" -m "$MAC_FIXED" lan
	assert_line --partial 'applied 10.67.0.142/24 to lan'
	assert_line --partial 'applied default via 10.67.0.1 dev lan'
	run_t 5 -0 lab_exec cli ip -4 -o addr show dev lan
	assert_output --regexp 'inet 10\.67\.0\.142/24 brd 10\.67\.0\.255 .*valid_lft [0-9]+sec'
	run_t 5 -0 lab_exec cli ip -4 route show default
	assert_output --regexp '^default via 10\.67\.0\.1 dev lan proto dhcp src 10\.67\.0\.142'
	run cat "$LAB_DIR/hook.out"
	assert_line 'event=deconfig'
	assert_line 'event=bound'
	assert_line 'ip=10.67.0.142'
	assert_line 'subnet=255.255.255.0'
	assert_line 'mask=24'
	assert_line 'router=10.67.0.1'
	assert_line 'dns=10.67.0.1'
	assert_line 'domain=lab.test'
	assert_line 'lease=600'
	assert_line 'serverid=10.67.0.1'
	assert_line 'interface=lan'
	lab_exec cli ip addr flush dev lan
}

@test "-f as an unprivileged user with file caps: CapEff 0, renews at T1 by unicast, SIGUSR1 renews, SIGTERM exits" {
	lab_user
	local bin
	bin=$(lab_capbin "$BIN" cap_net_raw,cap_net_admin+p dhcpc)
	lab_bg srv tcpdump -l --immediate-mode -n -i lan 'udp dst port 67 and dst host 10.67.0.1'
	local tcpd=$LAB_PID
	sleep 1
	lab_bg cli setpriv --reuid="$LAB_USER_UID" --regid="$LAB_USER_GID" --clear-groups --reset-env \
		"$bin" -f -m "$MAC_SHORT" lan
	local pid=$LAB_PID log=$LAB_LOG
	lab_wait 5 grep -q 'lease of 10.67.0.115' "$log"
	run grep CapEff "/proc/$pid/status"
	assert_output --regexp 'CapEff:[[:space:]]+0+$'
	run grep CapPrm "/proc/$pid/status"
	assert_output --regexp 'CapPrm:[[:space:]]+0+$'
	# T1 = 2 s: RENEWING, REQUEST unicast to the server, ACK
	lab_wait 6 grep -q 'lease of 10.67.0.115 renewed' "$log"
	kill -USR1 "$pid"
	lab_wait 4 sh -c "[ \$(grep -c 'renewed' '$log') -ge 2 ]"
	kill -TERM "$pid"
	lab_wait 5 grep -q '^interrupted: ' "$log"
	lab_kill "$tcpd"
	run cat "$log"
	assert_line --regexp 'T1 \([0-9] s\): renewing with 10\.67\.0\.1 \(unicast\)'
	assert_line --regexp 'REQUEST  xid 0x[0-9a-f]{8}  10\.67\.0\.115:68 -> 10\.67\.0\.1:67 unicast  ciaddr 10\.67\.0\.115$'
	assert_line --regexp 'ACK      xid .* 10\.67\.0\.1:67 -> 10\.67\.0\.115:68 unicast'
	assert_line --partial 'SIGUSR1: renewing now'
	# seen on the wire at the server: a unicast REQUEST from the leased address
	run cat "$(ls "$LAB_DIR"/log/srv.tcpdump.*.log)"
	assert_output --regexp 'IP 10\.67\.0\.115\.68 > 10\.67\.0\.1\.67: BOOTP/DHCP, Request'
}

@test "hostile server: malformed OFFERs ignored and counted, strings withheld, TunnelVision and lint flagged" {
	lab_bg srv2 "$LAB_DIR/bin/dhcpc-hostile" lan 10.67.0.2 10.67.0.66
	local hpid=$LAB_PID
	lab_wait 5 grep -q listening "$LAB_LOG"
	cat >"$LAB_DIR/hook2" <<-'HOOK'
	#!/bin/sh
	env | sort >"${0%/*}/hook2.$1"
	HOOK
	chmod 755 "$LAB_DIR/hook2"
	run_t 15 -0 lab_exec cli "$BIN" -v -m "$MAC_IGNORED" -s "$LAB_DIR/hook2" lan
	lab_kill "$hpid" 2>/dev/null || true
	# the burst: wrong xid, wrong chaddr, op 1 ignored; 5 malformed
	assert_output --partial 'ignored a frame: wrong xid'
	assert_output --partial 'ignored a frame: wrong chaddr'
	assert_output --partial 'ignored a frame: an option runs past the end of the options field'
	assert_output --partial 'ignored a frame: an option runs past the end of the file field (overload)'
	assert_output --partial 'ignored a frame: option 52 (overload) is not 1, 2 or 3'
	assert_output --partial 'ignored a frame: not a BOOTREPLY for Ethernet'
	assert_output --partial 'ignored a frame: shorter than a BOOTP header and magic cookie'
	assert_line --regexp '^lease: [0-9]+ sent, 2 received, 8 ignored \(5 malformed\)'
	# the usable offer: split and overloaded options put together (RFC 3396)
	assert_output --partial 'domain-name "split-domain.lab" [2 parts from options file]'
	assert_output --partial 'hostname "host-from-sname" [1 part from sname]'
	assert_output --partial '[no End option]'
	# the ACK's hostile strings: withheld, escaped, never raw
	assert_line 'lease of 10.67.0.66 obtained from 10.67.0.2, lease time 600'
	assert_line --partial "warning: option 12 (hostname) withheld: \"h;reboot 'x\" is not a valid name"
	assert_line --partial 'warning: option 15 (domain-name) withheld: "evil`id`$(id);\x1b[31mred.lab" is not a valid name'
	refute_output --partial $'\x1b'
	refute_line --regexp '^  (domain|hostname) '
	assert_line --partial 'warning: option 121 route 0.0.0.0/1 via 10.67.0.2 covers half the address space'
	assert_line --partial 'warning: option 121 route 128.0.0.0/1 via 10.67.0.2 covers half the address space'
	assert_line --partial 'RFC 3442 says the router option is ignored'
	assert_line --partial 'warning: T1 (500 s) >= T2 (400 s)'
	assert_line --partial 'warning: option 108 (IPv6-only preferred) present though not requested'
	# the chosen OFFER's own finding, which the ACK does not repeat, is shown too
	assert_line 'warning: OFFER: the options field has no End option'
	[[ $(grep -c '^warning: OFFER: ' <<<"$output") -eq 1 ]]
	run cat "$LAB_DIR/hook2.bound"
	assert_line 'ip=10.67.0.66'
	refute_output --partial 'hostname='
	refute_output --partial 'domain='
	assert_line 'staticroutes=0.0.0.0/1 10.67.0.2 128.0.0.0/1 10.67.0.2'
}

@test "-v decodes every frame layer by layer; --pcap writes Ethernet frames tcpdump reads" {
	run_t 15 -0 lab_exec cli "$BIN" -v --pcap "$LAB_DIR/d.pcap" -m "$MAC_FIXED" lan
	assert_output --regexp 'sent [0-9]+ bytes'
	assert_output --partial 'op 1 (BOOTREQUEST), htype 1, hlen 6, hops 0, xid 0x'
	assert_output --partial 'op 2 (BOOTREPLY)'
	assert_output --partial 'option 53 message-type: 5 (ACK)'
	assert_output --partial 'option 54 server-id: 10.67.0.1'
	assert_output --partial 'state SELECTING -> REQUESTING'
	assert_output --partial 'state REQUESTING -> BOUND'
	run_t 10 -0 tcpdump -n -r "$LAB_DIR/d.pcap"
	[[ ${#lines[@]} -ge 5 ]]
	assert_output --regexp 'IP 0\.0\.0\.0\.68 > 255\.255\.255\.255\.67: BOOTP/DHCP, Request from 02:00:00:00:60:42'
	assert_output --regexp 'IP 10\.67\.0\.1\.67 > 10\.67\.0\.142\.68: BOOTP/DHCP, Reply'
	run_t 10 -0 tcpdump -n -e -r "$LAB_DIR/d.pcap"
	assert_output --partial 'ethertype IPv4'
}

@test "without CAP_NET_RAW: clear error, exit 2" {
	lab_user
	run_t 10 -2 lab_as cli "$BIN" lan
	assert_output --partial 'socket: Operation not permitted (need CAP_NET_RAW)'
}

@test "-f REBINDING: the server drops unicast renewals; at T2 a broadcast REQUEST (on the wire) rebinds" {
	# dnsmasq gives MAC_SHORT T1 2 s, T2 4 s; its host drops DHCP unicast to itself
	lab_nft srv input 'ip daddr 10.67.0.1 udp dport 67 drop'
	lab_bg srv tcpdump -l --immediate-mode -n -i lan 'udp dst port 67'
	local tcpd=$LAB_PID tlog=$LAB_LOG
	lab_wait 5 grep -q 'listening on' "$tlog"
	lab_bg cli "$BIN" -f -m "$MAC_SHORT" lan
	local pid=$LAB_PID log=$LAB_LOG
	lab_wait 5 grep -q 'lease of 10.67.0.115 obtained' "$log"
	lab_wait 10 grep -q 'lease of 10.67.0.115 renewed' "$log"
	kill -TERM "$pid"
	lab_wait 5 grep -q '^interrupted: ' "$log"
	lab_kill "$tcpd"
	lab_exec srv nft delete table inet lab
	run cat "$log"
	# (dnsmasq adds up to a second or so of fuzz to the T1 it was given)
	assert_line --regexp '^ +T1 \([0-9] s\): renewing with 10\.67\.0\.1 \(unicast\)$'
	assert_line --regexp 'REQUEST  xid 0x[0-9a-f]{8}  10\.67\.0\.115:68 -> 10\.67\.0\.1:67 unicast  ciaddr 10\.67\.0\.115$'
	assert_line --regexp '^ +T2 \(4 s\): rebinding \(broadcast\)$'
	assert_line --regexp 'REQUEST  xid 0x[0-9a-f]{8}  10\.67\.0\.115:68 -> 255\.255\.255\.255:67 broadcast  ciaddr 10\.67\.0\.115$'
	assert_line --regexp 'ACK      xid .* address 10\.67\.0\.115  server 10\.67\.0\.1'
	# in that order, the unicast renewal retransmitted never (RFC 2131 4.4.5: >= 60 s)
	[[ $(sed -n '1,/renewed/p' "$log" | grep -c 'REQUEST .* unicast  ciaddr') -eq 1 ]]
	[[ $(sed -n '/T1 (/,$p' "$log" | grep -E -o 'T1 \(|unicast  ciaddr|T2 \(|broadcast  ciaddr|renewed' | tr '\n' ' ') == \
		'T1 ( unicast  ciaddr T2 ( broadcast  ciaddr renewed '* ]]
	# T2 is counted from the REQUEST that got the lease: never early
	local t0 t2
	t0=$(dhcpc_ms "$log" 'REQUEST .* broadcast  requested 10\.67\.0\.115')
	t2=$(dhcpc_ms "$log" 'REQUEST .* broadcast  ciaddr 10\.67\.0\.115')
	((t2 - t0 >= 3990 && t2 - t0 < 9000))
	grep -q -E '^  lease time   120 s \(T1 [0-9] s, T2 4 s\)$' "$log"
	# on the wire at the server: the dropped unicast, then the broadcast
	run cat "$tlog"
	assert_output --regexp 'IP 10\.67\.0\.115\.68 > 10\.67\.0\.1\.67: BOOTP/DHCP, Request'
	assert_output --regexp 'IP 10\.67\.0\.115\.68 > 255\.255\.255\.255\.67: BOOTP/DHCP, Request'
	# dnsmasq answered the broadcast one
	run LOG
	assert_output --regexp 'DHCPREQUEST\(lan\) 10\.67\.0\.115 02:00:00:00:60:0f'
}

@test "-f expiry: no server after BOUND, renew and rebind unanswered, deconfig at expiry (hook, address removed)" {
	# the test server grants a 4 s lease (T1 2, T2 3; dnsmasq's minimum is 120 s) and leaves
	lab_bg srv2 "$LAB_DIR/bin/dhcpc-hostile" lan 10.67.0.2 10.67.0.66 1 plain:4:2:3
	lab_wait 5 grep -q listening "$LAB_LOG"
	dhcpc_hook "$LAB_DIR/hook3"
	lab_bg cli "$BIN" -f --apply -s "$LAB_DIR/hook3" -m "$MAC_IGNORED" lan
	local pid=$LAB_PID log=$LAB_LOG
	lab_wait 5 grep -q 'lease of 10.67.0.66 obtained from 10.67.0.2, lease time 4' "$log"
	run_t 5 -0 lab_exec cli ip -4 -o addr show dev lan
	assert_output --partial 'inet 10.67.0.66/24'
	lab_wait 8 grep -q 'lease expired' "$log"
	lab_wait 3 grep -q 'DISCOVER' <(sed -n '/lease expired/,$p' "$log")
	run_t 5 -0 lab_exec cli ip -4 -o addr show dev lan
	assert_output ''
	run_t 5 -0 lab_exec cli ip -4 route show default
	assert_output ''
	kill -TERM "$pid"
	lab_wait 5 grep -q '^interrupted: ' "$log"
	run cat "$log"
	assert_line --regexp '^ +T1 \(2 s\): renewing with 10\.67\.0\.2 \(unicast\)$'
	assert_line --regexp 'REQUEST  xid .*  10\.67\.0\.66:68 -> 10\.67\.0\.2:67 unicast  ciaddr 10\.67\.0\.66$'
	assert_line --regexp '^ +T2 \(3 s\): rebinding \(broadcast\)$'
	assert_line --regexp 'REQUEST  xid .*  10\.67\.0\.66:68 -> 255\.255\.255\.255:67 broadcast  ciaddr 10\.67\.0\.66$'
	assert_line 'warning: lease expired (4 s): deconfiguring and starting over'
	assert_line --regexp '^ +removed 10\.67\.0\.66/24 from lan'
	assert_line 'warning: lease time 4 s is shorter than a minute'
	refute_output --partial 'renewed'
	# expiry is counted from the REQUEST that got the lease: never early
	local t0 te
	t0=$(dhcpc_ms "$log" 'REQUEST .* broadcast  requested 10\.67\.0\.66')
	te=$(sed -n '/lease expired/,$p' "$log" | grep -E ' DISCOVER xid' | head -1 | awk '{ printf "%d", $1 }')
	((te - t0 >= 3990 && te - t0 < 9000))
	# the hook: deconfig at start, bound, deconfig at expiry (interface only)
	run grep '^event=' "$LAB_DIR/hook3.out"
	assert_output $'event=deconfig\nevent=bound\nevent=deconfig'
	run sed -n '/^event=bound$/,/^$/p' "$LAB_DIR/hook3.out"
	assert_line 'ip=10.67.0.66'
	assert_line 'lease=4'
	run awk 'n == 3; /^event=/ { n++ }' "$LAB_DIR/hook3.out"
	assert_line 'interface=lan'
	refute_output --partial 'ip='
	lab_exec cli ip addr flush dev lan
}

@test "-f SIGUSR2: RELEASE seen by dnsmasq, address removed; SIGUSR1 then gets a lease again" {
	dhcpc_hook "$LAB_DIR/hook4"
	lab_bg cli "$BIN" -f --apply -s "$LAB_DIR/hook4" -m "$MAC_REL" lan
	local pid=$LAB_PID log=$LAB_LOG
	lab_wait 5 grep -q 'lease of 10.67.0.143 obtained' "$log"
	run_t 5 -0 lab_exec cli ip -4 -o addr show dev lan
	assert_output --partial 'inet 10.67.0.143/24'
	kill -USR2 "$pid"
	lab_wait 5 grep -q 'DHCPRELEASE(lan) 10.67.0.143 02:00:00:00:60:43' "$LAB_DIR/main.log"
	lab_wait 5 grep -q 'removed 10.67.0.143/24 from lan' "$log"
	run_t 5 -0 lab_exec cli ip -4 -o addr show dev lan
	assert_output ''
	run grep -c 'lease of 10.67.0.143 obtained' "$log"
	assert_output 1
	kill -USR1 "$pid"
	lab_wait 5 sh -c "[ \$(grep -c 'lease of 10.67.0.143 obtained' '$log') -ge 2 ]"
	kill -TERM "$pid"
	lab_wait 5 grep -q '^interrupted: ' "$log"
	run cat "$log"
	assert_line --regexp '^ +SIGUSR2: releasing$'
	assert_line --regexp 'RELEASE  xid 0x[0-9a-f]{8}  10\.67\.0\.143:68 -> 10\.67\.0\.1:67 unicast  ciaddr 10\.67\.0\.143  server 10\.67\.0\.1$'
	assert_line --regexp '^ +SIGUSR1: starting over$'
	run grep '^event=' "$LAB_DIR/hook4.out"
	assert_output $'event=deconfig\nevent=bound\nevent=deconfig\nevent=bound'
	run grep -c 'DHCPRELEASE(lan) 10.67.0.143' "$LAB_DIR/main.log"
	assert_output 1
	lab_exec cli ip addr flush dev lan
}

@test "-f NAK: dnsmasq restarted with another range NAKs the renewal; INIT, then a new lease" {
	dhcpc_dnsmasq srv2 nak1 --dhcp-range=10.67.0.180,10.67.0.189,255.255.255.0,2m --dhcp-authoritative
	dhcpc_hook "$LAB_DIR/hook5"
	lab_bg cli "$BIN" -f -s "$LAB_DIR/hook5" -m "$MAC_IGNORED" lan
	local pid=$LAB_PID log=$LAB_LOG
	lab_wait 5 grep -q -E 'lease of 10\.67\.0\.18[0-9] obtained from 10\.67\.0\.2' "$log"
	dhcpc_stop nak1
	dhcpc_dnsmasq srv2 nak2 --dhcp-range=10.67.0.190,10.67.0.199,255.255.255.0,2m --dhcp-authoritative
	kill -USR1 "$pid"
	lab_wait 8 grep -q -E 'lease of 10\.67\.0\.19[0-9] obtained from 10\.67\.0\.2' "$log"
	kill -TERM "$pid"
	lab_wait 5 grep -q '^interrupted: ' "$log"
	dhcpc_stop nak2
	run cat "$log"
	assert_line --regexp 'REQUEST  xid .*  10\.67\.0\.18[0-9]:68 -> 10\.67\.0\.2:67 unicast  ciaddr 10\.67\.0\.18[0-9]$'
	assert_line --regexp 'NAK      xid .* yiaddr 0\.0\.0\.0  server 10\.67\.0\.2'
	assert_line --regexp '^warning: NAK: ".+": starting over$'
	# after the NAK: INIT, DISCOVER, a new address
	[[ $(sed -n '/^warning: NAK/,$p' "$log" | grep -E -o ' DISCOVER xid|offered 10\.67\.0\.19[0-9]|lease of 10\.67\.0\.19' |
		tr '\n' ' ') == ' DISCOVER xid offered 10.67.0.19'?' lease of 10.67.0.19 ' ]]
	run grep -E 'DHCPNAK\(lan\) 10\.67\.0\.18[0-9] 02:00:00:00:60:99' "$LAB_DIR/nak2.log"
	assert_success
	run grep '^event=' "$LAB_DIR/hook5.out"
	assert_output $'event=deconfig\nevent=bound\nevent=nak\nevent=deconfig\nevent=bound'
}

@test "-f --arp-check: DECLINE for a held address, DISCOVER again no sooner than 10 s later, then a free address" {
	# "holder" takes the address dnsmasq keeps for MAC_HELD2 (MAC_HELD's was declined already)
	lab_exec holder ip addr add 10.67.0.78/24 dev lan
	lab_bg cli "$BIN" -f --arp-check -m "$MAC_HELD2" lan
	local pid=$LAB_PID log=$LAB_LOG
	lab_wait 5 grep -q 'sending DECLINE' "$log"
	# dnsmasq no longer offers a declined address: the restart gets one from the pool
	lab_wait 15 grep -q -E 'lease of 10\.67\.0\.1[0-9]{2} obtained' "$log"
	kill -TERM "$pid"
	lab_wait 5 grep -q '^interrupted: ' "$log"
	lab_exec holder ip addr del 10.67.0.78/24 dev lan
	run cat "$log"
	assert_line --regexp '^warning: ARP check: the offered address is in use by [0-9A-F:]{17}: sending DECLINE$'
	assert_line --regexp 'DECLINE  xid .* broadcast  requested 10\.67\.0\.78  server 10\.67\.0\.1$'
	assert_line --regexp '^ +ARP check: nobody answered for 10\.67\.0\.1[0-9]{2}$'
	[[ $(grep -c ' DECLINE  xid' "$log") -eq 1 ]]
	# RFC 2131 3.1.5: the next DISCOVER no sooner than 10 s after the DECLINE
	local td tr
	td=$(dhcpc_ms "$log" ' DECLINE  xid')
	tr=$(sed -n '/ DECLINE /,$p' "$log" | grep -E ' DISCOVER xid' | head -1 | awk '{ printf "%d", $1 }')
	((tr - td >= 9990 && tr - td < 14000))
	run LOG
	assert_output --partial 'DHCPDECLINE(lan) 10.67.0.78 02:00:00:00:60:78'
}

@test "option 121 TunnelVision lint: a classless route more specific than an existing route elsewhere is flagged" {
	# a "VPN" in the client: 10.99.0.0/16 and 10.98.1.0/24 leave through vpn0
	lab_exec cli ip link add vpn0 type veth peer name vpn0p
	lab_exec cli ip link set vpn0p up
	lab_exec cli ip link set vpn0 up
	lab_exec cli ip route add 10.99.0.0/16 dev vpn0
	lab_exec cli ip route add 10.98.1.0/24 dev vpn0
	run_t 15 -0 lab_exec cli "$BIN" -m "$MAC_ROUTES" lan
	lab_exec cli ip link del vpn0
	assert_line '  route        10.99.1.0/24 via 10.67.0.1 (option 121)'
	assert_line '  route        10.98.0.0/16 via 10.67.0.1 (option 121)'
	assert_line 'warning: option 121 route 10.99.1.0/24 would take traffic that now leaves through vpn0 onto lan (TunnelVision, CVE-2024-3661)'
	# 10.98.0.0/16 is less specific than vpn0's 10.98.1.0/24: it takes nothing from it
	refute_output --partial 'route 10.98.0.0/16 would take'
	# the OFFER said the same: not repeated
	refute_output --partial 'OFFER: '
	[[ $(grep -c 'TunnelVision' <<<"$output") -eq 1 ]]
	# the same without the VPN's routes: no such warning
	run_t 15 -0 lab_exec cli "$BIN" -m "$MAC_ROUTES" lan
	refute_output --partial 'TunnelVision'
}
