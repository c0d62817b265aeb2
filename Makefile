# Two commands on a fresh machine: `make demo` and `make test`. Both prepare .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo serve test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) main.py demo-data --if-empty
	$(PY) main.py serve

serve: install
	$(PY) main.py serve

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) benchmarks/import_sales.py

clean:
	rm -rf $(VENV) data .pytest_cache
