# skyc — make targets. `make help` lists them.

GO ?= go
BIN ?= bin

.PHONY: help build test unit e2e bench bench-all fuzz corpus vet fmt-check golden docs

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

build: ## build bin/skyc and bin/skyc-full (check and diff; skyc runs it for them)
	$(GO) build -o $(BIN)/ ./cmd/skyc ./cmd/skyc-full

test: vet fmt-check e2e-deps ## run every test: unit, golden, CLI scripts and e2e against a real kube-apiserver
	$(GO) test ./...

unit: ## run the tests that need no API server
	$(GO) test $$($(GO) list ./... | grep -v -e /e2e -e /internal/testcluster)

e2e: e2e-deps ## run the end-to-end tests against a real kube-apiserver + etcd
	$(GO) test ./e2e/... ./internal/testcluster/...

docs: ## regenerate docs/stdlib.md, the standard-library reference
	$(GO) run ./cmd/skyc doc -o docs

golden: ## refresh golden files (review the diff before committing)
	$(GO) test ./... -run 'Golden' -update

bench: ## render benchmark: phase benchmarks of a generated fleet, then the whole process for N = 100 … 10000 (see BENCHMARKS.md)
	$(GO) test -run '^$$' -bench 'Fleet' -benchtime 3x ./render
	bench/run.sh

bench-all: ## run every Go benchmark
	$(GO) test -run '^$$' -bench . -benchmem ./...

FUZZTIME ?= 30s

fuzz: ## run every Fuzz* target for FUZZTIME (30s) each; a finding fails and is kept in testdata/fuzz/<Target>/
	GO=$(GO) FUZZTIME=$(FUZZTIME) hack/fuzz.sh

corpus: ## try skyc on the real-world corpus in ../shared/corpus
	SKYC_CORPUS=$(abspath ../shared/corpus) $(GO) test -tags corpus -run Corpus -count=1 ./...

vet: ## go vet, for Linux and, as developers build there too, macOS and Windows
	$(GO) vet ./...
	GOOS=darwin $(GO) vet ./...
	GOOS=windows $(GO) vet ./...

fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

include make/e2e.mk
