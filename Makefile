# MatDiscover: `make run` installs everything and starts the server; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

FRONTEND_SRC := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)

.PHONY: install frontend frontend-test chromium deploy-tools netlab-tools run test test-distributed lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "MatDiscover needs Python 3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned in the same command as everything that depends on it (CPU build on disk)
	$(BIN)/python -m pip install --quiet -e ".[dev]" "torch==2.13.0"
	touch $(STAMP)

install: $(STAMP)

# The web UI: npm ci only when the lock file changes, a build only when sources change.
frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SRC)
	cd frontend && npm run build

frontend: frontend/dist/index.html

frontend-test: frontend
	cd frontend && npm test

# Debian's Chromium for the end-to-end browser tests (never a downloaded browser), and
# poppler-utils (pdftoppm, pdftotext) that read back the PDF reports in tests/reports.
chromium:
	@test -x /usr/bin/chromium && test -x /usr/bin/pdftoppm || { \
		echo "installing Debian chromium and poppler-utils for the browser and report tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; }

# Debian's docker-compose (only `docker-compose config`, no daemon) and promtool (in the
# prometheus package) for the deployment config tests (tests/deploy); kubectl is expected
# on the machine, kubernetes-validate comes with the dev extras.
deploy-tools:
	@command -v docker-compose >/dev/null && command -v promtool >/dev/null || { \
		echo "installing Debian docker-compose and prometheus (promtool) for the deploy tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends docker-compose prometheus >/dev/null; }

run: install frontend
	$(BIN)/matdiscover serve

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: install
	$(BIN)/mypy

pytest: install frontend chromium deploy-tools
	$(BIN)/python -m pytest

test: lint typecheck frontend-test pytest

# Debian's iptables for the multi-host fault test: where the kernel has no sch_netem, the
# slow link is an NFQUEUE rule feeding tests/distributed/delayq.py (ip and tc: iproute2).
netlab-tools:
	@command -v iptables >/dev/null && command -v tc >/dev/null || { \
		echo "installing Debian iptables and iproute2 for the multi-host fault test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends iptables iproute2 >/dev/null; }

# Multi-host fault test (root: network namespaces, veth, netfilter); figures printed and
# written to test-artifacts/distributed/result.json. Not part of `make test`'s pytest run.
test-distributed: install netlab-tools
	$(BIN)/python -m pytest tests/distributed -m distributed -s

bench: install
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache frontend/node_modules frontend/dist
