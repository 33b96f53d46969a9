# The two commands of the README. Each creates the virtual environment when missing.
#   make book   -- build the website into _build/html (fails on any warning)
#   make test   -- build the website, then the unit tests and the browser tests of every
#                  page (tests/, tests/browser/), every notebook re-executed by nbval, and
#                  the chapters that train once more under other CPU kernels

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
# npm installs the versions pinned in package-lock.json, _ext/offline_assets.py
# copies them into _build/html/_static/vendor/.
# The Chinese edition (_build/html/zh/) is a second book made from the same notebooks and the
# translations in book/zh/ (tools/zh_site.py): its source tree is written to _build/zh/src, built
# as strictly, then copied beside the English site, sharing its static files and images.
ZH := _build/zh
book: $(STAMP) $(ASSETS)
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python tools/zh_site.py source $(ZH)
	$(BIN)/jupyter-book build $(ZH)/src --path-output $(ZH) -W -n --keep-going
	$(BIN)/python tools/zh_site.py finish $(ZH)/_build/html _build/html

# Numbers from training runs differ between CPUs and thread counts; chapters check them with
# claims (gan_src.claims). The chapters that train run a second time under another kernel
# configuration (ATen's portable path, MKL held to SSE4.2): both passes must pass.
TRAINING_CHAPTERS := $(addprefix book/,introduction.ipynb adversarial_nets.ipynb theoretical_results.ipynb \
                     figure1.ipynb advantages.ipynb)
OTHER_KERNELS := ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2

# Every pass runs on 2 processes of one thread each (pytest-xdist; one file, i.e. one test module
# or one notebook, per process at a time): on 2 cores this is about twice as fast as one process
# with 2 threads. `pytest --nbval` alone runs the same tests in one process.
PARALLEL := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
XDIST    := -n 2 --dist loadfile -p no:cacheprovider
SANITIZE := --nbval-sanitize-with tests/nbval_sanitize.cfg

test: book
	$(PARALLEL) $(BIN)/python -m pytest $(XDIST) -o addopts="-ra --junitxml=_build/test-report-tests.xml" tests
	$(PARALLEL) $(BIN)/python -m pytest $(XDIST) --nbval --nbval-current-env \
		-o addopts="-ra --junitxml=_build/test-report-notebooks.xml $(SANITIZE)" book
	$(PARALLEL) $(OTHER_KERNELS) $(BIN)/python -m pytest $(XDIST) --nbval --nbval-current-env \
		-o addopts="-ra --junitxml=_build/test-report-other-kernels.xml $(SANITIZE)" $(TRAINING_CHAPTERS)

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
