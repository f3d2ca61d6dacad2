# crewbell — every target runs on the Node 24 pinned in package.json (node_modules/.bin/node),
# whatever `node` the machine has.
SHELL := /bin/bash
NODE := node_modules/.bin/node
BIN := $(CURDIR)/node_modules/.bin
export PATH := $(BIN):$(PATH)
DATA_DIR ?= ./data

.PHONY: run test check lint format test-unit test-api test-e2e test-binary typecheck deps web browser sshd cross deno binary litestream-arm64 bench mutate mutate-hangs install clean

## run: install what is missing, then serve on ./data (http://localhost:8080)
run: deps web
	$(NODE) --max-semi-space-size=1 src/main.ts serve --data-dir $(DATA_DIR)

## Tests in four tiers, one folder each; a test file belongs to exactly one.
##   test/unit/    starts no processes: pure functions, a temp SQLite file, the manual clock
##   test/api/     the real app in-process through app.request() (test/helpers/app.ts): no port
##   test/binary/  the built binaries and the same source under Deno
##   test/e2e/     everything else: real server processes, the CLI, the local push service;
##                 test/e2e/browser/ the PWA in the browser engines
tier = $(sort $(shell find test/$(1) -name '*.test.ts'))
UNIT_TESTS = $(call tier,unit)
API_TESTS = $(call tier,api)
BINARY_TESTS = $(call tier,binary)
E2E_TESTS = $(call tier,e2e)
## make test hands out the longest files first (node --test starts files in the order given),
## so that the two workers finish together instead of one running chaos alone at the end.
## Longest first, as measured on 2 cores; the rest follow in tier order.
SLOWEST_TESTS := test/e2e/browser/engine-webkit.test.ts test/e2e/chaos.test.ts test/e2e/browser/engine-firefox.test.ts \
  test/e2e/browser/notifications.test.ts test/e2e/browser/story.test.ts test/e2e/browser/engine-chromium.test.ts \
  test/e2e/browser/logbook.test.ts test/e2e/browser/voyage.test.ts test/e2e/restore.test.ts test/e2e/email-e2e.test.ts \
  test/e2e/browser/logbook-history.test.ts test/e2e/browser/members-notify.test.ts test/e2e/browser/watches.test.ts \
  test/e2e/fuzz.test.ts test/e2e/attack-network.test.ts test/binary/binary.test.ts test/e2e/push-e2e.test.ts \
  test/e2e/replication.test.ts test/e2e/foundation.test.ts test/e2e/backup.test.ts test/e2e/attack-data.test.ts \
  test/e2e/readme-restore.test.ts test/e2e/browser/offline-queue.test.ts test/e2e/browser/set-aside.test.ts \
  test/e2e/browser/first-visit.test.ts \
  test/e2e/slow-upload.test.ts
EVERY_TEST = $(UNIT_TESTS) $(API_TESTS) $(E2E_TESTS) $(BINARY_TESTS)
ALL_TESTS = $(filter $(EVERY_TEST),$(SLOWEST_TESTS)) $(filter-out $(SLOWEST_TESTS),$(EVERY_TEST))
## Every Node process of a test run (each test file, and the CLI and serve processes the tests
## start) keeps V8's compiled code in .tools/compile-cache: a module compiled once is not
## compiled again, which takes about a third off each of the ~230 starts of a full run.
NODE_TEST := NODE_COMPILE_CACHE=$(CURDIR)/.tools/compile-cache $(NODE) --test --test-concurrency=2 --test-timeout=120000
tsc_incremental = --incremental --tsBuildInfoFile .tools/tsc/$(1).tsbuildinfo

## test: install what is missing, type-check, then every tier in one run (as fast as one list)
test: deps web browser sshd deno binary check
	$(NODE_TEST) $(ALL_TESTS)

## check: the three type checks (server, PWA, service worker) and Biome, all at once; the
## type checks remember what they checked last (.tools/tsc), so unchanged files are not checked again
check: deps
	@mkdir -p .tools/tsc
	@pids=""; \
	  $(BIN)/tsc -p tsconfig.json $(call tsc_incremental,server) & pids="$$pids $$!"; \
	  if [ -f web/tsconfig.json ]; then $(BIN)/tsc -p web/tsconfig.json $(call tsc_incremental,web) & pids="$$pids $$!"; fi; \
	  if [ -f web/tsconfig.sw.json ]; then $(BIN)/tsc -p web/tsconfig.sw.json $(call tsc_incremental,sw) & pids="$$pids $$!"; fi; \
	  $(BIN)/biome check . & pids="$$pids $$!"; \
	  failed=0; for pid in $$pids; do wait $$pid || failed=1; done; \
	  if [ $$failed = 0 ]; then echo "tsc (server, web, service worker) and biome check: clean"; fi; exit $$failed

## test-unit: no processes, no build
test-unit: deps
	$(NODE_TEST) $(UNIT_TESTS)

## test-api: the app in-process on temp SQLite files
test-api: deps web
	$(NODE_TEST) $(API_TESTS)

## test-e2e: real server processes, the CLI, the local push service, the PWA in Chromium, Firefox and WebKit
test-e2e: deps web browser sshd
	$(NODE_TEST) $(E2E_TESTS)

## test-binary: the binaries `make binary` built, and Deno
test-binary: deps web deno binary
	$(NODE_TEST) $(BINARY_TESTS)

## lint: the formatter and linter (Biome, biome.json) check every source file; make test runs it
lint: deps
	$(BIN)/biome check .

## format: rewrite the sources in the project's format
format: deps
	$(BIN)/biome format --write .

typecheck: deps
	$(BIN)/tsc -p tsconfig.json

deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## web: build the PWA into web/dist (what serve hands out)
web: deps
	$(NODE) build.ts web

## deno: Deno 2 from npm, for the smoke test that the same source runs under Deno
DENO_VERSION := 2.9.6
deno: .tools/deno/node_modules/.bin/deno

.tools/deno/node_modules/.bin/deno:
	mkdir -p .tools/deno
	npm install --prefix .tools/deno --no-save --no-audit --no-fund --loglevel=error deno@$(DENO_VERSION)

# $(call apt_install,PACKAGES): Debian packages, as root or through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
apt_install = $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null

## browser: the three browser engines of the end-to-end tests, from Debian, when missing:
## chromium, firefox-esr, and WebKitGTK's WebDriver (webkit2gtk-driver, with MiniBrowser) in Xvfb
BROWSER_PACKAGES := $(if $(wildcard /usr/bin/chromium),,chromium) $(if $(wildcard /usr/bin/firefox-esr),,firefox-esr) \
  $(if $(wildcard /usr/bin/WebKitWebDriver),,webkit2gtk-driver) $(if $(wildcard /usr/bin/Xvfb),,xvfb)
browser:
	@$(if $(strip $(BROWSER_PACKAGES)),echo "installing Debian's $(strip $(BROWSER_PACKAGES)) for the browser tests"; \
	  $(call apt_install,$(BROWSER_PACKAGES)),true)

## sshd: Debian's openssh-server for the SFTP replica test (the test starts its own sshd on
## 127.0.0.1 with a temporary host key), when missing
sshd:
	@[ -x /usr/sbin/sshd ] && [ -x /usr/lib/openssh/sftp-server ] || { \
	  echo "installing Debian's openssh-server for the SFTP replica test"; \
	  $(call apt_install,openssh-server); }

## cross: the arm64 strip (a smaller Pi binary), qemu and the arm64 C libraries (the arm64
## smoke test), when missing. Optional: without them the arm64 binary stays unstripped and its
## run under qemu is skipped.
CROSS_PACKAGES := binutils-aarch64-linux-gnu qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross
cross:
	@command -v aarch64-linux-gnu-strip >/dev/null 2>&1 && command -v qemu-aarch64-static >/dev/null 2>&1 && \
	  [ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] || { \
	  echo "installing Debian's $(CROSS_PACKAGES) for the arm64 binary"; \
	  $(call apt_install,$(CROSS_PACKAGES)) || \
	  echo "could not install them: the arm64 binary stays unstripped and its qemu test is skipped"; }

## binary: dist/crewbell-linux-x64, dist/crewbell-linux-arm64 (for the Pi), dist/crewbell (this
## machine), each with a .sha256; rebuilt only when a source changed. arm64 Node comes from npm.
BINARY_INPUTS := $(shell find src web -type f -not -path 'web/dist/*' 2>/dev/null) schema.sql build.ts package.json package-lock.json
binary: deps cross dist/crewbell litestream-arm64

## litestream-arm64: dist/litestream-linux-arm64 (+ .sha256), Litestream for the Pi: the same
## v0.3.13 as the tests run, from npm (npm refuses to install it on x64, so: pack and unpack).
## Best effort: without it (offline, or a registry without the package) the Pi installs
## Litestream's own .deb (README "When the SD card dies").
LITESTREAM_ARM64 := @flydotio/litestream-linux-arm64@1.0.1
litestream-arm64:
	@[ -x dist/litestream-linux-arm64 ] || { mkdir -p dist .tools/litestream-arm64 && cd .tools/litestream-arm64 && \
	  { [ -f package/litestream ] || { npm pack --silent $(LITESTREAM_ARM64) >/dev/null 2>&1 && tar xzf flydotio-litestream-linux-arm64-*.tgz; }; } && \
	  install -m 0755 package/litestream ../../dist/litestream-linux-arm64 && \
	  cd ../../dist && sha256sum litestream-linux-arm64 > litestream-linux-arm64.sha256 && \
	  echo "dist/litestream-linux-arm64: Litestream for the Pi ($$(cut -c1-16 litestream-linux-arm64.sha256)…)"; } || \
	  echo "no dist/litestream-linux-arm64: npm could not fetch $(LITESTREAM_ARM64) (offline?); on the Pi install Litestream's .deb instead (README \"When the SD card dies\")"

dist/crewbell: $(BINARY_INPUTS) node_modules/.installed
	$(NODE) build.ts binary

## install: as root, puts dist/crewbell, the systemd unit and its settings file in place
## (BINARY=dist/crewbell-linux-arm64 to install another build; DESTDIR for staging)
PREFIX ?= /usr/local
BINARY ?= dist/crewbell
install: $(if $(filter dist/crewbell,$(BINARY)),binary)
	install -D -m 0755 $(BINARY) $(DESTDIR)$(PREFIX)/bin/crewbell
	sed 's#^ExecStart=/usr/local/bin/crewbell#ExecStart=$(PREFIX)/bin/crewbell#' systemd/crewbell.service > dist/crewbell.service
	install -D -m 0644 dist/crewbell.service $(DESTDIR)/etc/systemd/system/crewbell.service
	rm -f dist/crewbell.service
	@if [ -z "$(DESTDIR)" ] && ! id crewbell >/dev/null 2>&1; then \
	  echo "adding the system user crewbell"; \
	  useradd --system --user-group --home-dir /var/lib/crewbell --no-create-home --shell /usr/sbin/nologin crewbell; fi
	@if [ -z "$(DESTDIR)" ]; then install -d -o crewbell -g crewbell -m 0700 /var/lib/crewbell; fi
	@if [ -e $(DESTDIR)/etc/crewbell/crewbell.env ]; then echo "keeping $(DESTDIR)/etc/crewbell/crewbell.env"; \
	else install -D -m 0640 systemd/crewbell.env $(DESTDIR)/etc/crewbell/crewbell.env; \
	  if [ -z "$(DESTDIR)" ]; then chgrp crewbell /etc/crewbell/crewbell.env; fi; \
	  echo "edit $(DESTDIR)/etc/crewbell/crewbell.env (origin, vapid subject), then: systemctl enable --now crewbell"; fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

## bench: benchmarks print their figures (not part of the tests)
bench: deps browser binary
	@for b in bench/*.bench.ts; do echo "== $$b"; $(NODE) $$b || exit 1; done

## mutate: mutation testing of the core (StrykerJS, test/mutation/): each file of
## test/mutation/files.ts against its own fast tests, one mutant at a time (MUTATE_CONCURRENCY=2
## for two); tens of minutes, not part of make test. FILES="store bodies" runs only those.
## Report: reports/mutation/mutation.json
mutate: deps web
	FILES="$(FILES)" $(NODE) test/mutation/run.ts

## mutate-hangs: after make mutate, whether each mutant it counted as a Timeout makes its tests
## fail (a test left waiting, failed by its test timeout) or hang (a synchronous loop made
## endless): each applied to the source in turn, the tests run, the source put back. Run it on a
## clone (it edits src/ while it runs). FILES="due-board worker" runs only those.
mutate-hangs: deps
	FILES="$(FILES)" $(NODE) test/mutation/hangs.ts

clean:
	rm -rf dist web/dist test-artifacts .tools
