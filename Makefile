# LiveHub: `make run` serves the demo congress, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/livehub
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9

FRONTEND_SOURCES := $(shell find frontend/src -type f -not -name '*.gen.ts' 2>/dev/null) frontend/vite.config.ts \
	frontend/tsconfig.json frontend/scripts/protocol.mjs docs/protocol.schema.json \
	frontend/scripts/i18n.mjs $(wildcard locale/*/LC_MESSAGES/djangojs.po)
MANIFEST := frontend/dist/.vite/manifest.json

.PHONY: run test system install frontend messages translations lint lock bench-check

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(MANIFEST): frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build -- --logLevel warn

install: $(VENV)/.installed frontend/node_modules/.installed

frontend: $(MANIFEST)

# The French and Dutch catalogues (locale/*/LC_MESSAGES/*.po) compiled for Django; the .mo files
# are build output, never committed. New strings: `make translations`, then translate the empty ones.
messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=frontend -v0

translations: install
	$(PY) manage.py makemessages -l fr -l nl -d django --no-location --ignore=.venv --ignore=frontend \
		--ignore=tests --ignore=bench --ignore=var --ignore=artifacts
	cd frontend && npm run --silent messages

run: install frontend messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	PORT=$(PORT) $(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	PORT=$(PORT) $(VENV)/bin/daphne -v 0 -b $(HOST) -p $(PORT) --proxy-headers livehub.asgi:application

# First, before minutes of installing: what the system lacks is installed or named (scripts/system_tools.sh).
system:
	@scripts/system_tools.sh

test: system install frontend messages
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) scripts/check_services.py
	$(VENV)/bin/ruff check .
	$(PY) scripts/audit_dependencies.py
	cd frontend && npm run --silent check && npx vitest run
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory bench-check

# LiveHub's CPU per delivery and per vote against the floor, in one run (bench/check.py; ~2 min):
# fails when either grows beyond its stored ratio (bench/check.json). Its own database: <name>_bench.
bench-check: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) -m bench.check

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet -r requirements.in -r requirements-dev.in
	(echo "# Every package pinned; regenerate with 'make lock' after changing requirements*.in."; \
		.lockenv/bin/pip freeze --exclude-editable | grep -v '^pip==') > requirements.lock
	rm -rf .lockenv
