# propwatch: DNS propagation checker.
# Targets: all (default), test, demo, bench, install, clean.
# `make SAN=1` builds an AddressSanitizer + UBSan binary in build-san/,
# `make SAN=thread` a ThreadSanitizer one in build-tsan/.

# No test, benchmark or demo may send a query off this machine: the engine
# refuses every address outside loopback while this is set.
export PROPWATCH_LOOPBACK_ONLY := 1

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
DATADIR  = $(PREFIX)/share/propwatch
MANDIR   = $(PREFIX)/share/man/man1

CC      ?= cc
PKGS     = ldns jansson ncursesw libcurl cairo
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 \
           -DPW_DATADIR='"$(DATADIR)"' -Isrc \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lldns -ljansson -lncursesw -lcurl -lcairo) -lpthread -lm

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

.PHONY: all test unit integration ui-test lab-test lab-verify demo bench soak forgery install clean \
        deps lint fuzz fuzz-bins

all: $(BIN) $(RESPONDER)
	@ln -sf $(BUILD)/propwatch propwatch

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# --version tells the git description when built from a checkout; the stamp
# changes only when the description does, and version.o follows it.
GIT_DESC := $(shell git describe --always --dirty --tags 2>/dev/null)
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(GIT_DESC)' | cmp -s - $@ || echo '$(GIT_DESC)' >$@
$(BUILD)/src/version.o: $(BUILD)/version.stamp
$(BUILD)/src/version.o: CFLAGS += -DPW_GIT='"$(GIT_DESC)"'
FORCE:

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(RESPONDER): $(RESPONDER_SRC:%.c=$(BUILD)/%.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

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
	$(MAKE) lab-test

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

integration: $(BIN) $(RESPONDER)
	@RESPONDER=$(abspath $(RESPONDER)) bash tests/integration/responder-selftest.sh
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/integration/run.sh
	@PROPWATCH=$(abspath $(BIN)) bash tests/docs/run.sh | tail -1
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/badinput/run.sh | grep -v '^ok'
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

bench: all
	bash scripts/bench.sh $(abspath $(BIN)) $(abspath $(RESPONDER))
	bash scripts/bench-lab.sh $(abspath $(BIN))

# RSS, descriptors and CPU of watch (10 min) and check --wait (100 sweeps).
soak: all
	bash scripts/soak.sh $(abspath $(BIN)) $(abspath $(RESPONDER)) $(SOAK_SECONDS) $(SOAK_SWEEPS)
SOAK_SECONDS ?= 600

# Forged replies against a sweep, blind and on-path (root: raw sockets on lo).
forgery: all
	bash scripts/forgery.sh $(abspath $(BIN)) $(abspath $(RESPONDER))
SOAK_SWEEPS ?= 100

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/propwatch
	install -m 644 resolvers.txt $(DESTDIR)$(DATADIR)/resolvers.txt
	install -m 644 doc/propwatch.1 $(DESTDIR)$(MANDIR)/propwatch.1

clean:
	rm -rf build build-san build-tsan build-fuzz propwatch

-include $(shell find build build-san build-tsan build-fuzz -name '*.d' 2>/dev/null)
