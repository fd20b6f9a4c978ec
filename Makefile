# The two commands of the README:
#   make lab    install what is needed and open the course in JupyterLab
#   make test   install what is needed and run every test, the notebooks included
# Other targets: restore (reference notebooks back as committed), notebooks (rebuild from
# sources), exercises (regenerate), outputs (run chapters in full mode and store outputs), sheet
# (rebuild the committed formula sheet in review/), bench, colab-test and lab-check (parts of test).

# Which Python: the active virtual environment (or conda environment) when there is one, else
# the project's own in .venv/ (git ignores it), made from BASE_PYTHON on first use and said in one
# line: a stock Debian 12 or Ubuntu Python refuses `pip install` outside one (PEP 668).
# PYTHON=... on the command line chooses any interpreter instead.
BASE_PYTHON ?= python3
VENV ?= .venv
ifeq ($(origin PYTHON),undefined)
  ACTIVE_ENV := $(shell $(BASE_PYTHON) -c "import os, sys; c = os.environ.get('CONDA_PREFIX', ''); \
	print(int(sys.prefix != sys.base_prefix or (c != '' and os.path.realpath(c) == os.path.realpath(sys.prefix))))" 2>/dev/null)
  ifeq ($(ACTIVE_ENV),1)
    PYTHON := $(shell $(BASE_PYTHON) -c "import sys; print(sys.executable)")
  else
    PYTHON := $(CURDIR)/$(VENV)/bin/python
    PROJECT_VENV := $(VENV)
  endif
endif
PIP := $(PYTHON) -m pip
# `make lab` prints one line per phase with the seconds since make started (and tells the launcher).
START := $(shell date +%s)
phase = echo "[$$(( $$(date +%s) - $(START) )) s] $(1)"
PYTEST_WORKERS ?= 2
# Debian packages: the full Fashion-MNIST, a CJK font, Pango for the PDF formula sheet.
SYSTEM_PACKAGES := dataset-fashion-mnist fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
# Only `make test`, `make site` and `make book` need these: the browser that the browser tests
# drive and that prints the book, MathJax served from the site itself (no CDN), and pdftoppm
# (poppler-utils) for the book test that measures how full each page is.
TEST_SYSTEM_PACKAGES := chromium libjs-mathjax fonts-mathjax poppler-utils
# The website and the book: Jupyter Book 1.x in an environment of its own (requirements-site.txt).
SITE_VENV := build/venv-site
SITE_STAMP := $(SITE_VENV)/.requirements-site.stamp
# `make install` skips pip when these files and the Python are what the last install saw.
STAMP_DIR := .make
INSTALL_STAMP := $(STAMP_DIR)/install.stamp
# make lab: LAB_PORT=8890 picks the port (default: the first free one from 8888), LAB_IP=0.0.0.0
# serves other machines, LAB_BROWSER=yes|no|auto (auto: a browser only where there is a display).
LAB_PORT ?=
LAB_IP ?= 127.0.0.1
LAB_BROWSER ?= auto
# The Colab-stack test: its own virtual environment, kept between runs (rebuilt when the pins change).
# COLAB_PYTHON: default Python 3.12 (Colab's) when the machine has one, else $(PYTHON).
COLAB_PYTHON ?=
COLAB_VENV ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cnnkit/colab-venv

.PHONY: venv test-backends test-backends-ci install system-deps test-system-deps lab restore test lint colab-test colab-venv lab-check notebooks exercises outputs sheet bench bench-ci format site-deps site book

# The project's virtual environment, when no other one is active (see PYTHON above). Debian and
# Ubuntu ship `python3 -m venv` in the package python3-venv: installed here when we are root.
venv:
ifdef PROJECT_VENV
	@if $(PYTHON) -m pip --version >/dev/null 2>&1; then \
		$(if $(filter 0,$(MAKELEVEL)),$(call phase,Python: $(VENV)/bin/python (the project's virtual environment; activate another one to use it instead)),true); \
	else \
		$(call phase,Python: no virtual environment is active; creating the project's own in $(VENV)/ with $(BASE_PYTHON)); \
		$(BASE_PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 10))" || { \
			echo "make: $(BASE_PYTHON) is Python $$($(BASE_PYTHON) -V 2>&1 | cut -d' ' -f2); the kit needs 3.10 to 3.13:" \
				"choose one with BASE_PYTHON, e.g. make lab BASE_PYTHON=python3.12"; exit 1; }; \
		rm -rf $(VENV); \
		if ! $(BASE_PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
			rm -rf $(VENV); \
			if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
				echo "apt-get install python3-venv (Debian's python3 needs it for a virtual environment)"; \
				apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
				&& $(BASE_PYTHON) -m venv $(VENV) || exit 1; \
			else \
				echo "make: $(BASE_PYTHON) cannot create a virtual environment: install python3-venv" \
					"(sudo apt-get install python3-venv) or activate a virtual environment of yours, then run make again"; \
				exit 1; \
			fi; \
		fi; \
	fi
else
	@$(if $(filter 0,$(MAKELEVEL)),$(call phase,Python: $(PYTHON) (the active environment or PYTHON=)),true)
endif

install: venv system-deps
	@$(call phase,Python packages: pip install -r requirements.txt -e .[dev])
	@key="$$(cat requirements.txt pyproject.toml | sha256sum | cut -c1-16) $$($(PYTHON) -c 'import sys; print(sys.prefix)')"; \
	if [ -f $(INSTALL_STAMP) ] && [ "$$(cat $(INSTALL_STAMP))" = "$$key" ] \
		&& $(PYTHON) -c "import jupyterlab, pathlib, cnnkit, sys; sys.exit(pathlib.Path(cnnkit.__file__).resolve().parents[1] != pathlib.Path('$(CURDIR)').resolve())" 2>/dev/null; then \
		echo "install: requirements.txt and pyproject.toml unchanged since the last install; skipping pip"; \
	else \
		$(PIP) install --disable-pip-version-check --progress-bar on -r requirements.txt -e ".[dev]" \
		&& mkdir -p $(STAMP_DIR) && echo "$$key" > $(INSTALL_STAMP); \
	fi

# Installed when we are root on Debian; elsewhere the kit still works (sample data, English-only
# figure labels, no PDF sheet, the browser test skipped) and we say so.
define install_debian_packages
	@$(call phase,system packages: $(1))
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then echo "apt-get install$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "  all installed"; fi; \
	else echo "note: not root or no apt-get; skipping Debian packages ($(1))"; fi
endef

system-deps:
	$(call install_debian_packages,$(SYSTEM_PACKAGES))

test-system-deps:
	$(call install_debian_packages,$(TEST_SYSTEM_PACKAGES))

# Your copies go to work/ (git ignores it), the landing page START_HERE.ipynb is rewritten, and
# JupyterLab starts at the repository root on it (see cnnkit/authoring/lab.py).
lab: install
	CNNKIT_LAB_STARTED=$(START) $(PYTHON) -m cnnkit.authoring lab --ip $(LAB_IP) --browser $(LAB_BROWSER) $(if $(LAB_PORT),--port $(LAB_PORT))

# The committed reference notebooks back, with their full-mode outputs; work/ is not touched.
restore:
	git checkout HEAD -- 'notebooks/*.ipynb' 'exercises/*.ipynb'
	@echo "restored the committed notebooks/ and exercises/; your copies in work/ are unchanged"

test: install test-system-deps site-deps lint
	CNNKIT_QUICK=1 $(PYTHON) -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadscope \
		--nbval-lax tests notebooks exercises
	$(MAKE) --no-print-directory colab-test
	$(MAKE) --no-print-directory lab-check
	@if [ "$$CI" = "true" ]; then $(MAKE) --no-print-directory test-backends-ci; \
	else echo "test: the JAX and PyTorch passes run in CI (CI=true) or with make test-backends-ci"; fi

# The unit tests and every notebook in quick mode under JAX and PyTorch, each backend in its own
# cached environment (~/.cache/cnnkit/backend-venv-<name>, rebuilt when the pins of the extras
# [jax] and [torch] change); results in benchmarks/backends.json (then `make notebooks` updates
# the backends line under each chapter's title).
test-backends: install
	$(PYTHON) benchmarks/backend_tests.py

# The CI subset per backend, part of `make test` when CI=true: the comparison tests
# (pytest -m comparison: NumPy, formulas and parameter counts against Keras), every exercise and
# solution notebook and chapters 01-03 and 08 in quick mode, in the same cached environments;
# both backends' runs in one queue, two at a time, one CPU thread each; fails when any fails,
# printing what failed.
# Measured 2026-11-30 on 2 shared cores: 1,060 s (JAX's runs 1,342 s, PyTorch's 737 s, two at a
# time) + 57 s building the environments on a clean machine; with TensorFlow's .ci/run (726 s)
# about 31 of the 45 minutes (benchmarks/backends.json, "ci_estimate"). `make bench-ci` on a fresh
# clone of 414641a (quiet machine): this pass 884 s with its venvs built from scratch, .ci/run 1,619 s;
# on dfedfe6 with cached venvs: 545 s, .ci/run 1,285 s.
test-backends-ci: install
	$(PYTHON) benchmarks/backend_tests.py --subset ci --parallel --no-save

# Jupyter Book 1.x (offline-capable) in build/venv-site, reinstalled only when its pins change.
site-deps: venv test-system-deps
	@if [ -f $(SITE_STAMP) ] && cmp -s requirements-site.txt $(SITE_STAMP); then \
		echo "site-deps: requirements-site.txt unchanged; skipping pip"; \
	else \
		$(PYTHON) -m venv $(SITE_VENV) \
		&& $(SITE_VENV)/bin/pip install -q --disable-pip-version-check -r requirements-site.txt \
		&& cp requirements-site.txt $(SITE_STAMP); \
	fi

# The course as a website (build/site/index.html) and a printable book (build/cnnkit-course.pdf),
# from the committed notebooks and their outputs; nothing is executed.
site: install site-deps
	$(PYTHON) -m cnnkit.authoring.site site

book: install site-deps
	$(PYTHON) -m cnnkit.authoring.site book

# Every chapter and exercise notebook alone in an empty folder, on Colab's TensorFlow and Keras,
# cnnkit installed by the notebook's own setup cell from a copy of this repository.
colab-venv: venv
	$(PYTHON) tests/colab_stack/colab_venv.py --venv "$(COLAB_VENV)" $(if $(COLAB_PYTHON),--python "$(COLAB_PYTHON)")

colab-test: colab-venv
	CNNKIT_COLAB_VENV="$(COLAB_VENV)" $(PYTHON) -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) \
		tests/colab_stack/test_colab_stack.py

# `make lab` as the README says, in the background: the landing page through the server's API.
lab-check: venv
	$(PYTHON) tests/lab_check.py

lint: venv
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format: venv
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

notebooks: venv
	$(PYTHON) -m cnnkit.authoring build

exercises: venv
	$(PYTHON) -m cnnkit.authoring exercises

# Full-mode outputs that students see on GitHub (slow: minutes per chapter).
outputs: notebooks
	$(PYTHON) -m cnnkit.authoring run notebooks/[0-9][0-9]_*.ipynb

# The committed formula sheet (review/formula_sheet.html and .pdf, linked from the README);
# tests/test_review.py fails when it is stale.
sheet: venv
	$(PYTHON) -m cnnkit.review sheet review

bench: install
	$(PYTHON) benchmarks/run.py

# .ci/run on a fresh clone of HEAD, timed (benchmarks/ci_run.json; `make bench` reports it).
bench-ci: venv
	$(PYTHON) benchmarks/ci_run.py
