# Flint: `make dev` runs the whole stack locally; `make test` runs every test. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
STAGE ?= dev
# `make bench` alone installs requirements-bench.txt (numpy, pyvips) into the app's venv.
BENCH_STAMP := $(VENV)/.bench-$(shell cat requirements.txt requirements-dev.txt requirements-bench.txt | sha1sum | cut -c1-12)
# checkov and the SAM translator pin boto3/pydantic versions the app cannot use: their own venv.
CHECKOV_VENV := build/tools/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cat requirements-checkov.txt | sha1sum | cut -c1-12)
ARCH ?= x86_64
# The Lambda runtime is pinned in infra/lambda.yaml (Metadata.Runtime); RUNTIME=python3.13 builds for another.
RUNTIME ?=
# When this make started (read once, as make reads this file): `make test` prints its whole time.
MAKE_STARTED := $(shell date +%s.%N)

.PHONY: install dev test lint unit integration e2e browser chromium bench clean package package-check deploy check-invariants restore-drill

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Flint needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/pip install --quiet -r requirements-bench.txt
	@rm -f $(VENV)/.bench-*
	@touch $(BENCH_STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet -r requirements-checkov.txt
	@rm -f $(CHECKOV_VENV)/.installed-*
	@touch $(CHECKOV_STAMP)

dev: install
	$(BIN)/python -m local.devstack

lint: install
	$(BIN)/ruff check .
	$(BIN)/cfn-lint infra/template.yaml

unit: install
	$(BIN)/pytest tests/unit -q

integration: install
	$(BIN)/pytest tests/integration -q -n 2

e2e: install
	$(BIN)/pytest tests/e2e -q

# Lint and packaging checks, then the tiers (tests/tiers.py) side by side: unit + integration on three
# workers, and the browser, e2e and fuzz tiers, each on its own local stack once it is ready. Prints
# each tier's time and the whole run's.
# The setup steps wait mostly on the network: the app's venv, checkov's venv and chromium install
# side by side (-j3), each step's output kept together (-O).
test:
	@$(MAKE) --no-print-directory -j3 -O lint package-check chromium
	$(BIN)/python -m tests.tiers --started $(MAKE_STARTED)

# The browser tests (tests/browser) drive Debian's chromium: Playwright cannot download its own
# browser here, so install the distribution's package when it is missing (CI runs as root).
chromium:
	@test -x /usr/bin/chromium || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium; }

browser: install chromium
	$(BIN)/pytest tests/browser -q -p no:cacheprovider

# The stack as one CloudFormation (SAM) template + the Lambda zip, in build/package/$(STAGE)-$(ARCH)/
# (ARCH=x86_64 or arm64). See docs/deploy.md.
package: install
	$(BIN)/python -m infra.package --stage $(STAGE) --arch $(ARCH) $(if $(RUNTIME),--runtime $(RUNTIME))
	$(BIN)/cfn-lint build/package/$(STAGE)-$(ARCH)$(if $(RUNTIME),-$(RUNTIME))/sam.json

# What `make test` checks: prod, both architectures. Rebuilt only when its inputs change.
# Then checkov on the template after the SAM transform (skips, with reasons: infra/checkov-skips.yaml)
# and cfn-lint on that too (W1020/W2001: parameters the transform already substituted). cfn-lint
# through infra/cfnlint.py: a template it passed unchanged (the packaging tests ask again) is not re-linted.
package-check: install $(CHECKOV_STAMP)
	$(BIN)/python -m infra.package --stage prod --arch x86_64 --arch arm64
	$(BIN)/python -m infra.cfnlint build/package/prod-x86_64/sam.json build/package/prod-arm64/sam.json
	$(CHECKOV_VENV)/bin/python -m infra.checks build/package/prod-x86_64
	$(BIN)/python -m infra.cfnlint --ignore-checks W1020 W2001 -- build/package/prod-x86_64/cfn.json

# Needs the AWS CLI and real credentials: it stops before packaging if either is missing.
deploy: install
	infra/deploy.sh --check
	$(MAKE) --no-print-directory package STAGE=$(STAGE) ARCH=$(ARCH) RUNTIME=$(RUNTIME)
	infra/deploy.sh $(STAGE) $(ARCH) $(RUNTIME)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

# Does the data agree with itself? Scans the `make dev` stack's table and media bucket (local/invariants.py).
check-invariants: install
	$(BIN)/python -m local.invariants

# Restore the table to a point in time into a new table and check it (local/restore_drill.py):
# on a fresh embedded AWS with demo data, or RESTORE_ENDPOINT=http://127.0.0.1:5000 for make dev's.
restore-drill: install
	$(BIN)/python -m local.restore_drill $(if $(RESTORE_ENDPOINT),--endpoint $(RESTORE_ENDPOINT))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build .flint
