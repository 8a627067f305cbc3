# partnerd - the two commands are `make run` and `make test`; the rest is for developers.
# A thin wrapper: CMake builds, scripts/ do the rest. Every target installs what it needs.

MAKEFLAGS += --no-print-directory
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps build run test test-unit test-e2e test-web bench fuzz lint clean install

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Migrates var/partnerd.db, loads the demo data when it is new, serves on :8080.
run: build
	@scripts/run $(BUILD)/partnerd

# Everything CI runs: unit and end-to-end tests on SQLite and PostgreSQL, then again
# with AddressSanitizer and UndefinedBehaviorSanitizer, then a short fuzzing pass.
test: deps
	@scripts/test

# Quicker loops while developing (no sanitizer pass, SQLite only).
test-unit: build
	@cd $(BUILD) && ctest --output-on-failure
test-e2e: build
	@npm ci --prefix tests/contract --no-audit --no-fund --loglevel=error
	@PARTNERD_BIN=$(BUILD)/partnerd node --test tests/e2e/
test-web: build
	@npm ci --prefix tests/web --no-audit --no-fund --loglevel=error
	@PARTNERD_BIN=$(BUILD)/partnerd node --test tests/web/

# The binary in $(PREFIX)/sbin, partnerd(8), the systemd unit in $(PREFIX)/lib/systemd/system
# and an nginx site in $(PREFIX)/share/doc/partnerd/examples; DESTDIR for packaging.
install: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)
	@DESTDIR=$(DESTDIR) cmake --install $(BUILD)

bench: build
	@bench/run $(BUILD)/partnerd

# FUZZ_SECONDS per target (default 60).
fuzz: deps
	@scripts/fuzz $${FUZZ_SECONDS:-60}

lint: build
	@scripts/lint $(BUILD)

clean:
	rm -rf build build-asan build-fuzz bench/out test-output
