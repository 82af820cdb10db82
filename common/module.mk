# common/ — libnetdiag.a, the code two or more tools share.
LIB_SRCS += $(addprefix common/, buf.c cksum.c addr.c ip.c icmp.c clock.c cli.c \
	stats.c json.c loop.c priv.c sock.c nl.c decode.c decode_l4.c pcap.c)
# udp.c: added by the traceroute engineer (UDP header codec, udp.h).
LIB_SRCS += common/udp.c
# tcp.c: added by the tcpprobe engineer (TCP header + options codec, tcp.h).
LIB_SRCS += common/tcp.c
# ether.c, packet.c: added by the arping engineer (Ethernet/ARP codec, AF_PACKET
# sockets; dhcpc uses both).
LIB_SRCS += common/ether.c common/packet.c
