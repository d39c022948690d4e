# Relais: `make run` starts everything, `make test` checks everything.
# Both create .venv with the machine's Python 3.11 on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test lint format messages chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

## run: web + Celery worker (high, default, bulk) + beat, with demo data. Ctrl-C stops all.
# Telegram in development: the platform's bot is a fake Bot API on 127.0.0.1 (Procfile.dev).
run: export TELEGRAM_API_BASE ?= http://127.0.0.1:$(or $(RELAIS_FAKE_TELEGRAM_PORT),8026)
run: export TELEGRAM_BOT_TOKEN ?= 0:relais-demo
run: export TELEGRAM_BOT_USERNAME ?= relais_demo_bot
run: $(VENV)/.run-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/honcho -f Procfile.dev start

## test: lint, then the whole suite (SQLite by default; DATABASE_URL / CELERY_BROKER_URL switch).
# pytest exits 5 when it collects nothing: for this suite that means it is broken.
test: $(VENV)/.test-deps lint
	$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing." >&2; exit 1; fi; \
	exit $$status

## chromium: Debian's Chromium for tests/browser, which skip (and say so) without it.
# Not fatal: a machine without apt or root still runs every other test.
chromium:
	@command -v chromium >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
	  echo "Chromium could not be installed: the browser tests will be skipped." >&2

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: the four benchmarks on PostgreSQL + Redis (DATABASE_URL, CELERY_BROKER_URL); see bench/README.md.
bench: $(VENV)/.test-deps
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

## messages: extract strings (needs GNU gettext), then compile .mo in pure Python.
messages: $(VENV)/.test-deps
	$(BIN)/python manage.py makemessages --locale fr --locale en --no-obsolete --ignore '.venv/*'
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var
