# Lentera: `make run` sets up and serves; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: run setup test test-sqlite test-postgres clean i18n bench

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Message catalogues (app/<area>/translations) compiled to .mo when changed.
i18n: $(STAMP)
	$(BIN)/python -c "from app.common.i18n import compile_catalogues; compile_catalogues()"

setup: $(STAMP) i18n
	$(BIN)/flask db upgrade
	$(BIN)/flask opd seed
	@# A broken course folder is reported (file, line, reason) but does not stop set-up or serving.
	-$(BIN)/flask courses import courses/
	$(BIN)/flask demo accounts

run: setup
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# SQLite always; PostgreSQL too when one answers on 127.0.0.1:5432.
test: $(STAMP) i18n
	$(BIN)/python -m pytest -q
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL =="; LENTERA_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -q; \
	else echo "PostgreSQL tidak terjangkau di 127.0.0.1:5432: uji PostgreSQL dilewati."; fi

test-sqlite: $(STAMP) i18n
	$(BIN)/python -m pytest -q

test-postgres: $(STAMP) i18n
	LENTERA_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -q

# Benchmarks and the 2,000-learner load test (bench/README.md); figures, not tests. Needs wrk
# (apt-get install wrk). Short run: make bench BENCH_ARGS=--quick
BENCH_ARGS ?=
bench: $(STAMP) i18n
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
