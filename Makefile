# Set-up is automatic: every target below creates .venv and installs the package first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# SCALE=small (default) fits two CPU cores in minutes; SCALE=paper is the full size for a GPU.
SCALE ?= small
ifeq ($(filter $(SCALE),small paper),)
$(error SCALE must be small or paper; got '$(SCALE)')
endif
export SCALE

FIGURES := $(patsubst figures/%.py,figures/out/%.png,$(filter-out figures/_common.py figures/__init__.py,$(wildcard figures/*.py)))
LIBRARY := $(wildcard rdp_jax/*.py)

.PHONY: all figures test verify bench clean

all: figures

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

figures: $(FIGURES)

# Changing SCALE creates a new stamp, which is newer than the figures and so redraws them.
SCALE_STAMP := figures/out/.scale-$(SCALE)
$(SCALE_STAMP):
	mkdir -p figures/out
	rm -f figures/out/.scale-*
	touch $@

figures/out/%.png: figures/%.py figures/_common.py $(LIBRARY) $(STAMP) $(SCALE_STAMP)
	$(PY) -m figures.$*

test: $(STAMP)
	$(PY) -m pytest -q

# Ensemble training throughput as speed-up ratios measured in one run.
bench: $(STAMP)
	$(PY) -m benchmarks.ensemble_throughput

# Every theorem's numerical proof, SAE training included; exits non-zero if a check fails.
verify: $(STAMP)
	$(PY) -m proofs_numeric

clean:
	rm -rf $(VENV) figures/out/*.png figures/out/*.csv figures/out/*.json figures/out/.scale-*
