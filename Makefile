# Flint: `make dev` runs the whole stack locally; `make test` runs every test. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
STAGE ?= dev
ARCH ?= x86_64

.PHONY: install dev test lint unit integration e2e bench clean package package-check deploy check-invariants

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Flint needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

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

test: lint package-check
	$(BIN)/pytest tests -q -n 2 -p no:cacheprovider

# The stack as one CloudFormation (SAM) template + the Lambda zip, in build/package/$(STAGE)-$(ARCH)/
# (ARCH=x86_64 or arm64). See docs/deploy.md.
package: install
	$(BIN)/python -m infra.package --stage $(STAGE) --arch $(ARCH)
	$(BIN)/cfn-lint build/package/$(STAGE)-$(ARCH)/sam.json

# What `make test` checks: prod, both architectures. Rebuilt only when its inputs change.
package-check: install
	$(BIN)/python -m infra.package --stage prod --arch x86_64 --arch arm64
	$(BIN)/cfn-lint build/package/prod-x86_64/sam.json build/package/prod-arm64/sam.json

# Needs the AWS CLI and real credentials: it stops before packaging if either is missing.
deploy: install
	infra/deploy.sh --check
	$(MAKE) --no-print-directory package STAGE=$(STAGE) ARCH=$(ARCH)
	infra/deploy.sh $(STAGE) $(ARCH)

bench: install
	$(BIN)/python -m bench

# Does the data agree with itself? Scans the `make dev` stack's table and media bucket (local/invariants.py).
check-invariants: install
	$(BIN)/python -m local.invariants

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build .flint
