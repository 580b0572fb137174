# Two entry points, both from a fresh machine with only python3:
#   make demo   - set up, then show what async-migrate would do to the bundled shop example
#   make test   - set up, then run every test (Django 5.2, plus the examples under Django 4.2)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV42 := .venv-dj42

.PHONY: demo test clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(VENV42)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV42)
	$(VENV42)/bin/python -m pip install -q --upgrade pip
	$(VENV42)/bin/python -m pip install -q -e . 'django==4.2.*'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/async-migrate diff examples/shop/before

test: $(BIN)/.installed $(VENV42)/.installed
	ASYNC_MIGRATE_DJANGO42_PYTHON=$(CURDIR)/$(VENV42)/bin/python $(BIN)/python -m pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) $(VENV42) build dist src/*.egg-info
