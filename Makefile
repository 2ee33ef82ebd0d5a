# Every target installs what it needs into .venv/ (pinned versions, constraints.txt), then runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= generated
OUT_TS ?= generated-ts

.PHONY: generate check test lint typecheck bench install install-test clean demo unasync grpc-descriptors

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test,grpc]"
	touch $@

$(VENV)/.installed-serve: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[serve]"
	touch $@

## make demo: serve demo/pixel-words, generate its client over the local API, run it (offline)
demo: $(VENV)/.installed-serve
	$(BIN)/python demo/run_demo.py

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make generate: regenerate $(OUT)/ and the TypeScript $(OUT_TS)/ from their snapshots, offline.
## make generate MODEL=<model URL | user/app/model[@version] | signatures.json> [REF=user/app/model]:
##   add or refresh one model (a URL needs CLARIFAI_PAT) in both, then regenerate the packages.
generate: $(VENV)/.installed
	$(BIN)/clarifai-codegen generate $(if $(MODEL),"$(MODEL)") $(if $(REF),--ref "$(REF)") -o $(OUT)
	$(BIN)/clarifai-codegen generate $(if $(MODEL),"$(MODEL)") $(if $(REF),--ref "$(REF)") -o $(OUT_TS) --lang typescript

## make check: exit 1 with a diff if $(OUT)/ or $(OUT_TS)/ is not what its snapshots generate
check: $(VENV)/.installed
	$(BIN)/clarifai-codegen check -o $(OUT)
	$(BIN)/clarifai-codegen check -o $(OUT_TS)

## node_modules/: the pinned npm tools (typescript, prettier, @types/node) from package-lock.json.
## Without npm nothing is installed (and the TypeScript tests say they are skipped for want of node).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund && touch $@; \
	else echo "npm not found: node_modules/ not installed (the TypeScript tests need Node.js 18+)"; fi

test: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check codegen tests bench demo scripts
	$(BIN)/ruff format --check codegen tests bench demo scripts

## make unasync: write the sync runtime modules (client.py, http.py) from their async sources
unasync: $(VENV)/.installed-test
	$(BIN)/python scripts/unasync_runtime.py

## make grpc-descriptors: write codegen/runtime/grpcapi_data.py (the gRPC transport's message
## descriptors) from the installed clarifai-grpc; then `make generate`
grpc-descriptors: $(VENV)/.installed-test
	$(BIN)/python scripts/grpc_descriptors.py

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

## make bench: generation cost, pulling, the runtime against the SDK (bench/bench_runtime.py), and
## the least CPU a JSON transport spends on a 1 MB image (bench/json_floor.py)
bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_generate.py
	$(BIN)/python bench/bench_pull.py
	$(BIN)/python bench/bench_runtime.py
	$(BIN)/python bench/json_floor.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
