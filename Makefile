# Every target installs what it needs into .venv/ (pinned versions, constraints.txt), then runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= generated
SIGNATURES := $(sort $(filter-out signatures/index.json,$(wildcard signatures/*.json)))

.PHONY: generate test lint typecheck bench install install-test clean check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make generate [MODEL=path/to/signatures.json [REF=user/app/model]]: write $(OUT)/ (offline)
generate: $(VENV)/.installed
ifdef MODEL
	$(BIN)/clarifai-codegen generate "$(MODEL)" $(if $(REF),--ref "$(REF)") -o $(OUT)
else
	$(BIN)/clarifai-codegen generate $(SIGNATURES) -o $(OUT)
endif

## make check: exit 1 with a diff if $(OUT)/ is not what the bundled signatures generate
check: $(VENV)/.installed
	$(BIN)/clarifai-codegen generate $(SIGNATURES) -o $(OUT) --check

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check codegen tests bench
	$(BIN)/ruff format --check codegen tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_generate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
