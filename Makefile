# lienthong — the two everyday commands are `make run` and `make test`.
# Both install what a fresh Debian 12 machine lacks first (see scripts/deps.sh).

SWIFT ?= swift
CONFIG ?= config/lienthong.toml
FUZZ_SECONDS ?= 120

.PHONY: deps build run test test-systemd sample demo-trust install release clean man bench profile deb test-deb fuzz

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build

# Runs the gateway in the foreground on the example config and the
# repository's Spool/ (Ctrl-C stops it). The demo trust (a test-only PKI) is
# made on first use.
run: build demo-trust
	.build/debug/lienthongd --config $(CONFIG)

# Every test: each module, the daemon as a process, and the daemon under a
# real systemd booted in a private namespace (root only; those skip with a
# reason otherwise). The timeout turns a hang into a failure.
test: deps
	$(SWIFT) build
	timeout 2400 $(SWIFT) test

# Only the real-systemd tests.
test-systemd: deps
	$(SWIFT) build
	timeout 1200 $(SWIFT) test --filter SystemdIntegrationTests

demo-trust:
	@test -f config/demo-trust/private/demo-signer.key.pem || sh scripts/make-test-pki.sh --demo config/demo-trust

# Makes a signed sample pair and drops it into the outbox of Sở Khoa học và
# Công nghệ (which took over Sở TT&TT from 1 March 2025) of the running example
# gateway: watch Spool/units/000.00.15.H41/receipts/.
sample: demo-trust
	LIENTHONG_DEMO_TRUST=config/demo-trust sh scripts/make-sample-pair.sh Spool/units/000.00.15.H41/outbox 4116-UBND-CN

release: deps
	$(SWIFT) build -c release

# lienthongctl(1) from its own --help texts (swift-argument-parser's plugin);
# scripts/install.sh installs it when it has been made.
man:
	$(SWIFT) package plugin --allow-writing-to-package-directory generate-manual

install:
	bash scripts/install.sh

# The Debian package lienthong_<version>_<arch>.deb (static Swift runtime,
# units, tmpfiles, sysusers, catalog, completions, man pages), checked by
# lintian: scripts/make-deb.sh.
deb: deps
	bash scripts/make-deb.sh

# Benchmarks on a release build against the pipeline an operator would write
# instead (README, "Benchmarks"): prints one table. BENCH_SCALE=0.1 for a quick look.
bench: deps
	bash scripts/bench/run.sh

# Where the daemon's CPU goes, in instructions per submission per stage
# (callgrind on a tmpfs spool; needs valgrind): scripts/bench/profile.sh.
profile: deps
	bash scripts/bench/profile.sh

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of every parser of
# outside input, FUZZ_SECONDS (default 120) per target with memory and time
# limits; prints a table and fails on any finding (README, "Fuzzing"). Not
# part of `make test`, which replays the kept findings instead.
fuzz: deps
	bash scripts/fuzz/build.sh
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz/run.sh

clean:
	rm -rf .build

# The package, then its tests: lintian, and dpkg -i / start / dpkg -r on a
# real systemd in the test sandbox.
test-deb: deb
	$(SWIFT) build --build-tests
	LIENTHONG_DEB="$$(ls -t lienthong_*.deb | head -n 1)" timeout 1200 $(SWIFT) test --skip-build --filter DebianPackageTests
