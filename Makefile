# The two commands of the README:
#   make lab    install what is needed and open the course in JupyterLab
#   make test   install what is needed and run every test, the notebooks included
# Other targets: notebooks (rebuild from sources), exercises (regenerate), outputs (run chapters
# in full mode and store outputs), sheet (rebuild the committed formula sheet in review/), bench.

PYTHON ?= python3
PIP := $(PYTHON) -m pip
PYTEST_WORKERS ?= 2
SYSTEM_PACKAGES := dataset-fashion-mnist fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: install system-deps lab test lint unit notebook-tests notebooks exercises outputs quick-outputs sheet bench bench-ci format

install: system-deps
	$(PIP) install -q --disable-pip-version-check -r requirements.txt -e ".[dev]"

# Debian packages: the full Fashion-MNIST, a CJK font, and Pango for the PDF formula sheet. Installed when we are root on Debian;
# elsewhere the kit still works (sample data, English-only figure labels) and we say so.
system-deps:
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then echo "apt-get install$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	else echo "note: not root or no apt-get; skipping Debian packages ($(SYSTEM_PACKAGES))"; fi

lab: install
	$(PYTHON) -m jupyter lab notebooks/

test: install lint
	CNNKIT_QUICK=1 $(PYTHON) -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadscope \
		--nbval-lax tests notebooks exercises

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format:
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

notebooks:
	$(PYTHON) -m cnnkit.authoring build

exercises:
	$(PYTHON) -m cnnkit.authoring exercises

# Full-mode outputs that students see on GitHub (slow: minutes per chapter).
outputs: notebooks
	$(PYTHON) -m cnnkit.authoring run notebooks/[0-9][0-9]_*.ipynb

# The committed formula sheet (review/formula_sheet.html and .pdf, linked from the README);
# tests/test_review.py fails when it is stale.
sheet:
	$(PYTHON) -m cnnkit.review sheet review

bench: install
	$(PYTHON) benchmarks/run.py

# .ci/run on a fresh clone of HEAD, timed (benchmarks/ci_run.json; `make bench` reports it).
bench-ci:
	$(PYTHON) benchmarks/ci_run.py
