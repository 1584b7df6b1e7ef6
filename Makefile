# genloom: the two commands a fresh machine needs are `make run` and `make test`.
.PHONY: setup setup-llama-cpp-python run demo test test-fast lint bench clean

VENV := .venv
BIN := $(VENV)/bin
export OMP_WAIT_POLICY ?= PASSIVE

setup:
	@bash scripts/setup.sh

# Also build the optional llama-cpp-python runtime (compiles llama.cpp: ~6-12 min on 2 cores).
setup-llama-cpp-python:
	@GENLOOM_LLAMA_CPP_PYTHON=1 bash scripts/setup.sh

run: setup
	$(BIN)/genloom run "Create a launch kit for GlowTrail, a solar-powered camping lantern" -o out/launch-kit

demo: setup
	$(BIN)/genloom demo

test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not e2e and not slow"

lint: setup
	$(BIN)/ruff check src tests bench

bench: setup
	$(BIN)/python bench/text.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
