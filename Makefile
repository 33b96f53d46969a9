# The two commands of the README. Each creates the virtual environment when missing.
#   make book   -- build the website into _build/html (fails on any warning)
#   make test   -- build the website, then unit tests, every notebook re-executed by
#                  nbval, and the browser tests of every page (tests/browser/)

VENV   ?= .venv
PYTHON ?= python3
NPM    ?= npm
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# npm ci writes node_modules/.package-lock.json; touched so make sees it is fresh.
ASSETS := node_modules/.package-lock.json

# Data: $GAN_SRC_DATA if set, else ../shared/data where that exists (this project's
# machines), else gan_src's per-user cache, where torchvision downloads MNIST.
ifeq ($(GAN_SRC_DATA),)
ifneq ($(wildcard ../shared/data/MNIST/raw),)
export GAN_SRC_DATA := $(abspath ../shared/data)
endif
endif

.PHONY: book test clean

# The site serves MathJax, require.js and the widget manager itself (offline reading):
# npm installs the versions pinned in package-lock.json, tools/offline_assets.py
# copies them into _build/html/_static/vendor/.
book: $(STAMP) $(ASSETS)
	$(BIN)/jupyter-book build . -W -n --keep-going

test: book
	$(BIN)/python -m pytest --nbval --nbval-current-env

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt -c constraints.txt -e .
	touch $@

$(ASSETS): package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm not found: install Node.js 18+ (apt-get install npm) so the build can fetch the site's MathJax and widget scripts"; exit 1; }
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	touch $@

clean:
	rm -rf _build
