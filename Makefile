# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Python reads its compiled modules from __pycache__ instead of compiling every source file again
# in every process: an environment that forbids writing them (PYTHONDONTWRITEBYTECODE) makes each
# server, CLI run and test worker pay ~1.5 s of CPU to start, and the tests start hundreds.
unexport PYTHONDONTWRITEBYTECODE
# Days of past traffic to give a freshly seeded demo office (`make run HISTORY=365`).
HISTORY ?= 0
# LINE_FAKE=1: LINE notifications against a local fake LINE platform (see README).
LINE_FAKE ?=

.PHONY: run test lint pytest bench clean

# The packages are installed by uv (from PyPI, into this venv): a fresh install takes about 10 s
# where pip takes about 35. The venv is made without pip of its own (3.2 s → 0.1 s): uv is put
# into it by the system's pip, or, where Python has no pip (Debian's python3 without
# python3-pip), by the venv's pip after all.
$(BIN)/python:
	scripts/system-deps.sh run
	$(PYTHON) -m venv --without-pip $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(PYTHON) -m pip --python $(BIN)/python install -q 'uv>=0.5' 2>/dev/null \
	  || { $(BIN)/python -m ensurepip >/dev/null && $(BIN)/python -m pip install -q 'uv>=0.5'; }

# Reinstall only when the dependency list changes. The libraries are compiled as they are
# installed (about a second more): otherwise the first processes to import them (a new server, the
# test workers and their forkers, all starting at once) each compiled them again, 5.6 s of CPU
# for the app's imports against 2.4 s once compiled.
$(VENV)/.installed: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e .
	touch $@

# The test extras include everything `make run` needs: one install for both (1.4 s less).
$(VENV)/.installed-test: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	scripts/system-deps.sh run
	$(BIN)/saduak demo --host $(HOST) --port $(PORT) --history $(HISTORY) $(if $(LINE_FAKE),--line-fake)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# One test worker more than the machine has cores: a worker spends part of its time waiting for
# chromium, the servers it started and PostgreSQL (the cores were idle 16 % of a two-worker run,
# sampled with perf), and the third worker fills that. On 2 cores, the same code within half an
# hour: 284 s of pytest with three workers, 303 s with two (README, "Tests").
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

pytest: $(VENV)/.installed-test
	scripts/system-deps.sh test
	scripts/test-services.sh
	@# The project's own modules compiled once, before the workers and their forkers start.
	$(BIN)/python -m compileall -q -j 0 -x '/\.' .
	$(BIN)/pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder

# The lint runs beside the tests, at a lower priority (about 13 s of CPU, mostly mypy's, which
# the tests would otherwise wait for; it still ends long before them); its report follows theirs,
# and either one failing fails `make test`.
test: $(VENV)/.installed-test
	@nice -n 10 $(MAKE) --no-print-directory lint > $(VENV)/lint.log 2>&1 & lint=$$!; \
	$(MAKE) --no-print-directory pytest; tests=$$?; \
	wait $$lint; linted=$$?; cat $(VENV)/lint.log; \
	if [ $$linted -ne 0 ]; then echo "make test: the lint failed (above)"; fi; \
	exit $$(( tests != 0 || linted != 0 ))

bench: $(VENV)/.installed-test
	scripts/test-services.sh
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var/*.db var/*.db-* .mypy_cache .ruff_cache
