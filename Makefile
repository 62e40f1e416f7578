# Two commands on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH ?= $(shell command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)

.PHONY: demo test lint typecheck bench install browser

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

# Debian's Chromium for rendering (Playwright cannot download its own browser everywhere).
browser:
	@if [ -x "$(PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH)" ]; then :; else \
	  echo "Installing Debian's chromium..."; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
	fi

demo: install browser
	$(VENV)/bin/vigie demo

test: install browser
	$(VENV)/bin/pytest -n 2 --dist loadfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy vigie store crawler rules supply watch api dashboard demo ops tests bench

bench: install browser
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done
