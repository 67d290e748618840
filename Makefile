# imaplib for Go — build and test entry points.
#   make test     installs what the tests need (Go modules, Dovecot), then
#                 runs the linters, a short pass of every fuzz target, and
#                 the whole suite under -race.
#   make compat   the differential suite against every local CPython.
#   make test-servers  the real-server tests alone (Dovecot, Cyrus, Courier).
#   make bench    the cross-client benchmark table.

GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 5s
PKG         := github.com/pyport/imaplib

.PHONY: all deps lint test unit fuzz compat bench run clean test-servers

all: test

# Dovecot is required. Cyrus and Courier need root to install; without it
# their tests skip with a message (CI runs as root and requires them).
deps:
	$(GO) mod download
	bash scripts/install-deps.sh
	bash scripts/install-cyrus.sh || [ "$$(id -u)" -ne 0 ]
	bash scripts/install-courier.sh || [ "$$(id -u)" -ne 0 ]

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	cd scripts/bench && $(GO) vet ./... && $(GO) run $(STATICCHECK) ./...

# The benchmark runner is a module of its own (scripts/bench); its tests
# run after the library's.
unit:
	bash scripts/test.sh
	cd scripts/bench && $(GO) test -count=1 ./...

fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

test: deps lint fuzz unit

test-servers:
	IMAPLIB_CYRUS=1 IMAPLIB_COURIER=1 $(GO) test -race -count=1 -run 'TestDovecot|TestCyrus|TestCourier' -v .

compat:
	$(GO) test -count=1 -run 'TestCompat' -v .

bench:
	bash scripts/bench.sh

run:
	$(GO) run ./imaplib

clean:
	rm -rf bench-results
