# propwatch: DNS propagation checker.
# Targets: all (default), test, demo, bench, install, clean.
# `make SAN=1` builds an AddressSanitizer + UBSan binary in build-san/,
# `make SAN=thread` a ThreadSanitizer one in build-tsan/.

# No test, benchmark or demo may send a query off this machine: the engine
# refuses every address outside loopback while this is set.
export PROPWATCH_LOOPBACK_ONLY := 1
# Leaks in libraries' lifetime caches are not ours (tests/lsan.supp says which).
export LSAN_OPTIONS := suppressions=$(abspath tests/lsan.supp):print_suppressions=0

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
DATADIR  = $(PREFIX)/share/propwatch
MANDIR   = $(PREFIX)/share/man/man1
DOCDIR   = $(PREFIX)/share/doc/propwatch
# Where bash-completion and zsh look: zsh's site-functions, or for a
# distribution's /usr its vendor-completions (Debian's fpath has both).
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/share/zsh/vendor-completions,$(PREFIX)/share/zsh/site-functions)

CC      ?= cc
PKGS     = ldns jansson ncursesw libcrypto
# libcurl (--via) and cairo (timeline) are loaded at their first use, not
# linked (src/lazylib.h says why): only their headers are needed here.
LAZY     = libcurl cairo
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 \
           -Isrc \
           $(shell pkg-config --cflags $(PKGS) $(LAZY) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lldns -ljansson -lncursesw -lcrypto) -lpthread -lm

ifeq ($(SAN),1)
BUILD   ?= build-san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else ifeq ($(SAN),fuzz)
BUILD   ?= build-fuzz
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=fuzzer,address,undefined
else ifeq ($(SAN),thread)
BUILD   ?= build-tsan
CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
else
BUILD   ?= build
endif

# Every src/*.c except main.c goes into a static library so unit tests can link it.
LIB_SRC  = $(filter-out src/main.c,$(wildcard src/*.c src/ui/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/libpropwatch.a
BIN      = $(BUILD)/propwatch

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

RESPONDER_SRC = $(wildcard tests/responder/*.c)
RESPONDER     = $(BUILD)/pw-responder
WALLTIME      = $(BUILD)/pw-walltime
FLOOR         = $(BUILD)/pw-floor

.PHONY: all test unit integration ui-test package-test lab-test lab-verify demo bench soak forgery install uninstall clean \
        deps lint fuzz fuzz-bins

all: $(BIN) $(RESPONDER)
	@ln -sf $(BUILD)/propwatch propwatch

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# --version tells the git description when built from a checkout; the stamp
# changes only when the description does, and version.o follows it.
GIT_DESC := $(shell git describe --always --dirty --tags 2>/dev/null)
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(GIT_DESC)' | cmp -s - $@ || echo '$(GIT_DESC)' >$@
$(BUILD)/src/version.o: $(BUILD)/version.stamp
$(BUILD)/src/version.o: CFLAGS += -DPW_GIT='"$(GIT_DESC)"'
# The installed resolver list's place is built into reslist.o: a make
# install with another PREFIX rebuilds it rather than install a binary that
# looks elsewhere.
$(BUILD)/datadir.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(BUILD)/src/reslist.o: $(BUILD)/datadir.stamp
$(BUILD)/src/reslist.o: CFLAGS += -DPW_DATADIR='"$(DATADIR)"'
FORCE:

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(RESPONDER): $(RESPONDER_SRC:%.c=$(BUILD)/%.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The benchmark's stopwatch (tests/bench/walltime.c).
$(WALLTIME): $(BUILD)/tests/bench/walltime.o
	$(CC) $(LDFLAGS) -o $@ $^

# The least a client can do for a sweep, timed beside propwatch (tests/bench/floor.c).
$(FLOOR): $(BUILD)/tests/bench/floor.o
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# It reads the picture back with cairo itself.
$(BUILD)/tests/test_timeline: LDLIBS += $(shell pkg-config --libs cairo 2>/dev/null || echo -lcairo)

deps:
	sh scripts/setup.sh

# The whole suite: style and static analysis, the plain build, the same
# tests under ASan+UBSan and under TSan, then the lab.
test: deps
	$(MAKE) lint
	$(MAKE) all unit integration ui-test
	$(MAKE) SAN=1 all unit integration ui-test
	$(MAKE) SAN=thread all integration ui-test
	$(MAKE) fuzz FUZZ_SECONDS=10
	$(MAKE) package-test
	$(MAKE) lab-test

# make install's tree and the Debian package (built from a copy of the source).
package-test:
	@bash tests/package/run.sh

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

integration: $(BIN) $(RESPONDER)
	@RESPONDER=$(abspath $(RESPONDER)) bash tests/integration/responder-selftest.sh
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/integration/run.sh
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/integration/mail.sh
	@PROPWATCH=$(abspath $(BIN)) bash tests/docs/run.sh | tail -1
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/badinput/run.sh | grep -v '^ok'
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/timeline/run.sh | grep -v '^ok'
	@PROPWATCH=$(abspath $(BIN)) bash tests/completion/run.sh | grep -v '^ok'
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/vantage/run.sh \
		>$(BUILD)/vantage.log; rc=$$?; grep -v '^ok' $(BUILD)/vantage.log; exit $$rc

ui-test: $(BIN) $(RESPONDER)
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/ui/run.sh

lint:
	@sh scripts/lint.sh

# libFuzzer harnesses (tests/fuzz/) for the parsers of untrusted input, built
# with clang. `make fuzz` runs each FUZZ_SECONDS (default 15) from its seed
# corpus; new inputs go to a scratch directory, crashes to build-fuzz/.
FUZZ_SRC     = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SECONDS ?= 15
fuzz-bins: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)
fuzz:
	$(MAKE) SAN=fuzz CC=clang fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh build-fuzz/fuzz

lab-test: all
	@PROPWATCH=$(abspath $(BIN)) bash tests/lab/run.sh

# The lab against doc/LAB.md and tests/lab/*-expect.tsv, with kdig only.
lab-verify:
	@bash tests/lab/verify.sh

demo: deps all
	bash scripts/demo.sh $(abspath $(BIN))

bench: all $(WALLTIME) $(FLOOR)
	bash scripts/bench.sh $(abspath $(BIN)) $(abspath $(RESPONDER)) $(abspath $(WALLTIME)) $(abspath $(FLOOR))
	bash scripts/bench-lab.sh $(abspath $(BIN))

# RSS, descriptors and CPU of watch (10 min) and check --wait (100 sweeps).
soak: all
	bash scripts/soak.sh $(abspath $(BIN)) $(abspath $(RESPONDER)) $(SOAK_SECONDS) $(SOAK_SWEEPS)
SOAK_SECONDS ?= 600

# Forged replies against a sweep, blind and on-path (root: raw sockets on lo).
forgery: all
	bash scripts/forgery.sh $(abspath $(BIN)) $(abspath $(RESPONDER))
SOAK_SWEEPS ?= 100

# Shell completion, made by the binary from its option table.
$(BUILD)/completion/propwatch: $(BIN)
	@mkdir -p $(dir $@)
	$(BIN) completion bash >$@
$(BUILD)/completion/_propwatch: $(BIN)
	@mkdir -p $(dir $@)
	$(BIN) completion zsh >$@

install: $(BIN) $(BUILD)/completion/propwatch $(BUILD)/completion/_propwatch
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/propwatch
	install -m 644 resolvers.txt $(DESTDIR)$(DATADIR)/resolvers.txt
	install -m 644 doc/propwatch.1 $(DESTDIR)$(MANDIR)/propwatch.1
	install -m 644 README.md doc/LOG.md doc/INTERFACES.md $(DESTDIR)$(DOCDIR)/
	install -m 644 $(BUILD)/completion/propwatch $(DESTDIR)$(BASHCOMPDIR)/propwatch
	install -m 644 $(BUILD)/completion/_propwatch $(DESTDIR)$(ZSHCOMPDIR)/_propwatch

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/propwatch $(DESTDIR)$(DATADIR)/resolvers.txt \
		$(DESTDIR)$(MANDIR)/propwatch.1 $(DESTDIR)$(BASHCOMPDIR)/propwatch \
		$(DESTDIR)$(ZSHCOMPDIR)/_propwatch $(DESTDIR)$(DOCDIR)/README.md \
		$(DESTDIR)$(DOCDIR)/LOG.md $(DESTDIR)$(DOCDIR)/INTERFACES.md
	-rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build build-san build-tsan build-fuzz propwatch

-include $(shell find build build-san build-tsan build-fuzz -name '*.d' 2>/dev/null)
