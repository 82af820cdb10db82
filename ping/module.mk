# ping/ — iputils-compatible ping.
PROGRAMS += ping
ping_SRCS := $(addprefix ping/, main.c options.c pinger.c output.c)
ping_CAPS := cap_net_raw+p
MANPAGES += ping/ping.8
DEBIAN_DEPS += iputils-ping
