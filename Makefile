# backplan: two commands for a fresh machine with Python 3.11+ and make.
#   make lab    JupyterLab on notebooks/ (prints the URL to open)
#   make test   every test: pytest over tests/ and the notebooks (nbval), after ruff
# Both create or update the virtual environment .venv from pyproject.toml first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.backplan-installed
LAB_PORT ?= 8888
APP_PORT ?= 8866
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab app test fuzz lint format bench proofs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $(STAMP)

# No news feed and no update check: JupyterLab would otherwise offer to fetch both from the
# internet, and a clinic's computer makes no network calls for backplan.
lab: $(STAMP)
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --port=$(LAB_PORT) --notebook-dir=notebooks --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --LabApp.app_settings_dir=$(CURDIR)/tools/jupyter/lab/settings $(ALLOW_ROOT)

# The page template in tools/jupyter (nothing loaded from a CDN) comes first on JUPYTER_PATH.
app: $(STAMP)
	JUPYTER_PATH=$(CURDIR)/tools/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH} $(BIN)/voila notebooks/app-plan-builder.ipynb --no-browser --Voila.ip=127.0.0.1 --port=$(APP_PORT) $$($(BIN)/python -m tools.serve)

# axe-core, the accessibility checker the browser tests run in the app's page (needs npm)
AXE := tools/axe/node_modules/axe-core/axe.min.js
$(AXE): tools/axe/package-lock.json
	-command -v npm >/dev/null 2>&1 && npm ci --prefix tools/axe --silent --no-audit --no-fund

# two workers (one per core on CI's 2-core machine); a test file always runs in one worker
test: $(STAMP) $(AXE)
	$(BIN)/ruff check backplan tests benchmarks tools
	$(BIN)/python -m pytest -n 2 --dist loadfile

# every property test (Hypothesis; tests/fuzz_inputs.py @fuzz) with at least 1,000 examples
# each (many minutes; not part of make test). addopts is replaced: no notebooks, no doctests.
# Then the app page opened and left 20 times, counting kernels (make test: 8 times).
fuzz: $(STAMP)
	BACKPLAN_FUZZ_EXAMPLES=1000 $(BIN)/python -m pytest -n 2 --dist loadfile -o addopts=-ra -p no:nbval -m property tests
	BACKPLAN_KERNEL_LOADS=20 $(BIN)/python -m pytest -o addopts=-ra -p no:nbval tests/test_browser_kernels.py

lint: $(STAMP)
	$(BIN)/ruff check backplan tests benchmarks tools
	$(BIN)/ruff format --check backplan tests benchmarks tools

format: $(STAMP)
	$(BIN)/ruff format backplan tests benchmarks tools
	$(BIN)/ruff check --fix backplan tests benchmarks tools

bench: $(STAMP)
	status=0; for script in benchmarks/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || status=1; done; exit $$status

# every handout variant as PNG pages under artifacts/proofs/, to look at before a release
proofs: $(STAMP)
	$(BIN)/python -m tools.proofs artifacts/proofs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis artifacts
