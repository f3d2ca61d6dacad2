# crewbell — every target runs on the Node 24 pinned in package.json (node_modules/.bin/node),
# whatever `node` the machine has.
SHELL := /bin/bash
NODE := node_modules/.bin/node
BIN := $(CURDIR)/node_modules/.bin
export PATH := $(BIN):$(PATH)
DATA_DIR ?= ./data

.PHONY: run test typecheck unit deps browser binary bench install clean

## run: install what is missing, then serve on ./data (http://localhost:8080)
run: deps
	$(NODE) src/main.ts serve --data-dir $(DATA_DIR)

## test: install what is missing, type-check, run every test
test: deps browser
	$(BIN)/tsc -p tsconfig.json
	@if [ -f web/tsconfig.json ]; then $(BIN)/tsc -p web/tsconfig.json; fi
	$(NODE) --test --test-concurrency=2 --test-timeout=120000 'test/**/*.test.ts'

typecheck: deps
	$(BIN)/tsc -p tsconfig.json

deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## browser: Debian's chromium for the end-to-end tests, when missing
browser:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

## binary: dist/crewbell-linux-x64, dist/crewbell-linux-arm64, dist/crewbell
binary: deps
	$(NODE) build.ts

## bench: benchmarks print their figures (not part of the tests)
bench: deps
	@for b in bench/*.bench.ts; do echo "== $$b"; $(NODE) $$b || exit 1; done

clean:
	rm -rf dist web/dist test-artifacts
