# fuzz/ — one libFuzzer harness per parser, built with clang and
# -fsanitize=fuzzer,address,undefined into fuzz/bin/, outside the $(O)
# tree (the sanitizer runtime and coverage instrumentation must not leak
# into the normal objects).  Each harness compiles only the common/
# sources it needs, listed in FUZZ_<name>_SRCS, and links the pkg-config
# libraries in FUZZ_<name>_LIBS when those sources need them.
#
#   make fuzz FUZZ_TIME=60        build and run every harness (tests/fuzz.sh)
#   make fuzz/bin/fuzz_decode     build one
#   make fuzz-corpus              regenerate the seed corpora (fuzz/gen_corpus.c)
#
# Add a harness: write fuzz/<name>.c, add <name> to FUZZERS and set
# FUZZ_<name>_SRCS (and _LIBS) below; seeds go in fuzz/corpus/<name>/.
FUZZERS += fuzz_ip fuzz_icmp fuzz_decode

FUZZ_CC     ?= clang
FUZZ_CFLAGS := $(WARN) -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -D_GNU_SOURCE -Icommon $(PKG_CFLAGS)

FUZZ_fuzz_ip_SRCS     := $(addprefix common/, buf.c cksum.c addr.c ip.c)
FUZZ_fuzz_icmp_SRCS   := $(FUZZ_fuzz_ip_SRCS) common/icmp.c
FUZZ_fuzz_decode_SRCS := $(FUZZ_fuzz_icmp_SRCS) $(addprefix common/, clock.c decode.c decode_l4.c)

# sock_parse_control(): sock.c raises CAP_NET_RAW through priv.c, hence libcap.
FUZZERS += fuzz_cmsg
FUZZ_fuzz_cmsg_SRCS := $(addprefix common/, buf.c cksum.c addr.c clock.c priv.c sock.c)
FUZZ_fuzz_cmsg_LIBS := $(shell pkg-config --libs libcap 2>/dev/null || echo -lcap)

# Harnesses of the tools declare theirs in <tool>/module.mk as
# FUZZERS += fuzz_x, fuzz_x_SRCS := ..., fuzz_x_LIBS := ... (either
# spelling is accepted).

define FUZZ_template
fuzz/bin/$(1): fuzz/$(1).c $$(FUZZ_$(1)_SRCS) $$($(1)_SRCS) $$(wildcard common/*.h)
	@mkdir -p fuzz/bin
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$< $$(sort $$(FUZZ_$(1)_SRCS) $$($(1)_SRCS)) $$(FUZZ_$(1)_LIBS) $$($(1)_LIBS)
endef

# The corpus generator is an ordinary program built from the encoders.
fuzz/bin/gen_corpus: fuzz/gen_corpus.c $(FUZZ_fuzz_icmp_SRCS) $(wildcard common/*.h)
	@mkdir -p fuzz/bin
	$(CC) $(WARN) -O1 -D_GNU_SOURCE -Icommon -o $@ $< $(FUZZ_fuzz_icmp_SRCS)

.PHONY: fuzz-corpus
fuzz-corpus: fuzz/bin/gen_corpus
	fuzz/bin/gen_corpus
