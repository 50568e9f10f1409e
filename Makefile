# propwatch: DNS propagation checker.
# Targets: all (default), test, demo, bench, install, clean.
# `make SAN=1` builds an AddressSanitizer + UBSan binary in build-san/.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
DATADIR  = $(PREFIX)/share/propwatch
MANDIR   = $(PREFIX)/share/man/man1

CC      ?= cc
PKGS     = ldns jansson ncursesw
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 \
           -DPW_DATADIR='"$(DATADIR)"' -Isrc \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lldns -ljansson -lncursesw) -lpthread -lm

ifeq ($(SAN),1)
BUILD   ?= build-san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
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

.PHONY: all test unit integration ui-test lab-test lab-verify demo bench install clean deps lint

all: $(BIN) $(RESPONDER)
	@ln -sf $(BUILD)/propwatch propwatch

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

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

# The whole suite: plain build, then the same tests under ASan+UBSan, then the lab.
test: deps
	$(MAKE) all unit integration ui-test
	$(MAKE) SAN=1 all unit integration ui-test
	$(MAKE) lab-test

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

integration: $(BIN) $(RESPONDER)
	@RESPONDER=$(abspath $(RESPONDER)) bash tests/integration/responder-selftest.sh
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/integration/run.sh

ui-test: $(BIN) $(RESPONDER)
	@PROPWATCH=$(abspath $(BIN)) RESPONDER=$(abspath $(RESPONDER)) bash tests/ui/run.sh

lint:
	@sh scripts/lint.sh

lab-test: all
	@PROPWATCH=$(abspath $(BIN)) bash tests/lab/run.sh

# The lab against doc/LAB.md and tests/lab/*-expect.tsv, with kdig only.
lab-verify:
	@bash tests/lab/verify.sh

demo: deps all
	bash scripts/demo.sh $(abspath $(BIN))

bench: all
	bash scripts/bench.sh $(abspath $(BIN)) $(abspath $(RESPONDER))

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/propwatch
	install -m 644 resolvers.txt $(DESTDIR)$(DATADIR)/resolvers.txt
	install -m 644 doc/propwatch.1 $(DESTDIR)$(MANDIR)/propwatch.1

clean:
	rm -rf build build-san propwatch

-include $(shell find build build-san -name '*.d' 2>/dev/null)
