# imaplib for Go — build and test entry points.
#   make test     installs what the tests need (Go modules, Dovecot), then
#                 runs the linters, the whole suite under -race, and a short
#                 fuzzing pass.
#   make compat   the differential suite against every local CPython.
#   make bench    the cross-client benchmark table.

GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 5s
PKG         := github.com/pyport/imaplib

.PHONY: all deps lint test unit fuzz compat bench run clean

all: test

deps:
	$(GO) mod download
	bash scripts/install-deps.sh

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 ./...

fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

test: deps lint unit fuzz

compat:
	$(GO) test -count=1 -run 'TestCompat' -v . 2>&1 | tail -n 40

bench:
	bash scripts/bench.sh

run:
	$(GO) run ./imaplib

clean:
	rm -rf bench-results
