# netdiag — one non-recursive GNU Makefile.
#
# Each directory contributes a module.mk fragment (sources, programs, the
# Debian packages it needs); everything is built from this one make process
# so dependencies are exact and `make -j` is safe.
#
# Objects go under $(O)/; with the default O=. the binaries land where
# SPEC.md says (ping/ping, ...).  `make asan` builds a second tree in
# build/asan with AddressSanitizer+UBSan and runs the whole suite on it.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
O         ?= .
CC        ?= cc
CFLAGS    ?= -O2 -g
SAN       ?=

PKGS      := libcap libmnl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcap -lmnl)

WARN      := -std=c17 -Wall -Wextra -Wshadow -Wmissing-prototypes \
             -Wstrict-prototypes -Wpointer-arith -Wcast-qual -Werror
ND_CPPFLAGS := -D_GNU_SOURCE -DNETDIAG_VERSION='"$(VERSION)"' -Icommon $(PKG_CFLAGS)
ND_CFLAGS   := $(WARN) $(CFLAGS) -MMD -MP
ifeq ($(SAN),1)
ND_CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ND_LDFLAGS  += -fsanitize=address,undefined
endif
LDLIBS    := $(PKG_LIBS) -lm

PROGRAMS  :=
LIB_SRCS  :=
UNIT_TESTS :=
FUZZERS   :=
MANPAGES  :=
DEBIAN_DEPS := build-essential pkg-config libcap-dev libmnl-dev libcap2-bin \
               bats bats-assert bats-support iproute2 nftables vde2 tcpdump jq \
               clang libclang-rt-14-dev time procps

include common/module.mk
include $(filter-out common/module.mk,$(wildcard */module.mk)) tests/unit/module.mk

# Fuzz harness rules are expanded here, after every module.mk has added
# its FUZZERS (fuzz/module.mk defines FUZZ_template).
$(foreach f,$(sort $(FUZZERS)),$(eval $(call FUZZ_template,$(f))))

LIB       := $(O)/common/libnetdiag.a
LIB_OBJS  := $(LIB_SRCS:%.c=$(O)/%.o)
BINS      := $(foreach p,$(PROGRAMS),$(O)/$(p)/$(p))

.PHONY: all check build-tests unit bats asan fuzz bench install uninstall deps clean lab lab-shell
.DEFAULT_GOAL := all

all: $(BINS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ND_CPPFLAGS) $(ND_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# One rule per program: <prog>_SRCS lists its sources.
define PROGRAM_template
$(O)/$(1)/$(1): $$($(1)_SRCS:%.c=$(O)/%.o) $(LIB)
	$$(CC) $(ND_CFLAGS) $(ND_LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call PROGRAM_template,$(p))))

# Unit tests: tests/unit/<name>.c linked with the library (and any tool
# sources listed in <name>_EXTRA).
define UNIT_template
$(O)/tests/unit/$(1): $(O)/tests/unit/$(1).o $$($(1)_EXTRA:%.c=$(O)/%.o) $(LIB)
	$$(CC) $(ND_CFLAGS) $(ND_LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call UNIT_template,$(t))))
UNIT_BINS := $(UNIT_TESTS:%=$(O)/tests/unit/%)

deps:
	@tests/deps.sh $(sort $(DEBIAN_DEPS))

# The whole suite: C unit tests, then the bats files in order.  The last
# line is the plain `N passed, N failed` CI reads.
check:
	@tests/deps.sh $(sort $(DEBIAN_DEPS))
	@$(MAKE) --no-print-directory build-tests
	@ND_BUILD=$(abspath $(O)) tests/run.sh $(UNIT_BINS)

build-tests: all $(UNIT_BINS)

asan:
	$(MAKE) O=build/asan SAN=1 CC=clang check

FUZZ_TIME ?= 20
fuzz:
	@tests/fuzz.sh $(FUZZ_TIME) $(FUZZERS)

bench: all
	@for b in $(filter-out bench/lib.sh,$(wildcard bench/*.sh)); do echo "== $$b"; bash $$b || exit 1; done

# Each module.mk may set <prog>_CAPS (e.g. cap_net_raw+p): the file
# capabilities the program needs to work for an unprivileged user.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	$(foreach p,$(PROGRAMS),install -m 0755 $(O)/$(p)/$(p) $(DESTDIR)$(BINDIR)/$(p);)
	$(foreach m,$(MANPAGES),install -m 0644 $(m) $(DESTDIR)$(MANDIR)/man8/;)
	@$(foreach p,$(PROGRAMS),$(if $($(p)_CAPS),tests/setcap.sh $($(p)_CAPS) $(DESTDIR)$(BINDIR)/$(p);))

uninstall:
	for p in $(PROGRAMS); do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	for m in $(MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man8/$$(basename $$m); done

clean:
	rm -rf build $(BINS) $(LIB) $(LIB_OBJS) $(UNIT_BINS) fuzz/bin
	find . -name '*.o' -o -name '*.d' | xargs rm -f

-include $(shell find $(O) -name '*.d' 2>/dev/null)
