# Octavo developer entry points.
#
#   make book   build the sample book (book.toml + manuscript/) into build/
#   make test   run the test suite (the README's test command)
#
# Both create .venv if it is missing and install the project into it in
# editable mode.  A stamp file inside .venv records each install, so re-runs
# skip pip until pyproject.toml changes (or .venv is deleted).

PYTHON ?= python3
VENV   ?= .venv
PIP    := $(VENV)/bin/python -m pip
# -qq: the machine-wide pip config names find-links that may not exist, and
# pip warns about each one; errors are still shown.
PIP_FLAGS ?= -qq --disable-pip-version-check --no-input
PYTEST_ARGS ?=

.PHONY: book test venv clean-venv

# The interpreter itself; created once.
$(VENV)/bin/python:
	@echo "make: creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

# Runtime install: pip install -e .
$(VENV)/.octavo-base.stamp: pyproject.toml | $(VENV)/bin/python
	@echo "make: pip install -e . (into $(VENV))"
	$(PIP) install $(PIP_FLAGS) -e .
	@touch $@

# Test install: pip install -e '.[test]' (a superset of the runtime one).
$(VENV)/.octavo-test.stamp: pyproject.toml | $(VENV)/bin/python
	@echo "make: pip install -e '.[test]' (into $(VENV))"
	$(PIP) install $(PIP_FLAGS) -e '.[test]'
	@touch $(VENV)/.octavo-base.stamp $@

venv: $(VENV)/.octavo-base.stamp

book: $(VENV)/.octavo-base.stamp
	$(VENV)/bin/octavo build

test: $(VENV)/.octavo-test.stamp
	$(VENV)/bin/python -m pytest -q $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
