# lab/ — the teaching network (issue 8).
#   make lab        install what is missing (as make deps does), build every
#                   tool, bring the lab up, run the guided tour, tear it down
#   make lab-shell  the same network, left up, with a shell in the client
#                   namespace; torn down when the shell exits
# Both need root. lab/topology.bash builds the network, lab/tour.sh and
# lab/shell.sh run it; tests/90-lab.bats tests both.
# nsd: the DNS hierarchy; dnsmasq-base: the DHCP server (the binary only: the
# "dnsmasq" package would start a system DNS service on the host); python3:
# the web server on the open port; nftables: the silent router and the
# filtered port; tcpdump: the exercises in lab/README.md.
DEBIAN_DEPS += nsd dnsmasq-base python3 iproute2 nftables coreutils tcpdump

lab:
	@tests/deps.sh $(sort $(DEBIAN_DEPS))
	@$(MAKE) --no-print-directory all
	@ND_BUILD=$(abspath $(O)) lab/tour.sh

lab-shell:
	@tests/deps.sh $(sort $(DEBIAN_DEPS))
	@$(MAKE) --no-print-directory all
	@ND_BUILD=$(abspath $(O)) lab/shell.sh
