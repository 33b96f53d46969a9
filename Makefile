# The two commands of the README. Each creates the virtual environment when missing.
#   make book   -- build the website into _build/html
#   make test   -- unit tests and every notebook re-executed by nbval

VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Data: $GAN_SRC_DATA if set, else ../shared/data where that exists (this project's
# machines), else gan_src's per-user cache, where torchvision downloads MNIST.
ifeq ($(GAN_SRC_DATA),)
ifneq ($(wildcard ../shared/data/MNIST/raw),)
export GAN_SRC_DATA := $(abspath ../shared/data)
endif
endif

.PHONY: book test clean

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

test: $(STAMP)
	$(BIN)/python -m pytest --nbval --nbval-current-env

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt -c constraints.txt -e .
	touch $@

clean:
	rm -rf _build
