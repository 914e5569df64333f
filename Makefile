# lienthong — the two everyday commands are `make run` and `make test`.
# Both install what a fresh Debian 12 machine lacks first (see scripts/deps.sh).

SWIFT ?= swift
CONFIG ?= config/lienthong.toml

.PHONY: deps build run test sample demo-trust install release clean

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build

# Runs the gateway in the foreground on the example config and the
# repository's Spool/ (Ctrl-C stops it). The demo trust (a test-only PKI) is
# made on first use.
run: build demo-trust
	.build/debug/lienthongd --config $(CONFIG)

# Every test: unit tests of each module, the daemon as a process, and the
# real-systemd tests (these need root; they skip with a reason otherwise).
test: deps
	$(SWIFT) build
	$(SWIFT) test

demo-trust:
	@test -f config/demo-trust/private/demo-signer.key.pem || sh scripts/make-test-pki.sh --demo config/demo-trust

# Makes a signed sample pair and drops it into the Sở TT&TT's outbox of the
# running example gateway: watch Spool/units/000.00.21.H41/receipts/.
sample: demo-trust
	LIENTHONG_DEMO_TRUST=config/demo-trust sh scripts/make-sample-pair.sh Spool/units/000.00.21.H41/outbox 4116-UBND-CN

release: deps
	$(SWIFT) build -c release

install:
	bash scripts/install.sh

clean:
	rm -rf .build
