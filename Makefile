# satseg — a new user runs `make demo` (sets up everything, runs the main job on generated data)
# and `make test` (every test, engine and plugin, headless). CI runs `make test` (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

DEMO_DIR ?= demo-output
QGIS_PROFILE_DIR ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default
APT_PACKAGES := qgis python3-qgis python3-venv xvfb xauth imagemagick pyqt5-dev-tools \
                qttools5-dev-tools zip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# written by `setup`: ENGINE_PY, QGIS_PY
ENV_FILE := build/env.sh
LRELEASE := $(shell command -v lrelease || echo /usr/lib/qt5/bin/lrelease)

.PHONY: help setup system-packages demo demo-fusion test test-engine test-plugin lint package deploy \
        transup transcompile clean screenshots

help:
	@echo "make demo     set up everything, then run the main job on generated sample data"
	@echo "make test     run every test (engine and plugin, headless)"
	@echo "make demo-fusion  the same with two sensors and six dates (a fused model)"
	@echo "make setup | lint | package | deploy | transup | transcompile | screenshots | clean"

## setup: Debian packages (QGIS, Xvfb, Qt tools), the engine environment, the QGIS test environment
setup: system-packages
	@mkdir -p build
	@engine_venv=$$(bash scripts/engine-env.sh | tail -n 1); \
	 qgis_venv=$$(bash scripts/qgis-test-env.sh | tail -n 1); \
	 printf 'ENGINE_PY=%q\nQGIS_PY=%q\n' "$$engine_venv/bin/python" "$$qgis_venv/bin/python" \
	   > $(ENV_FILE); \
	 echo "engine Python: $$engine_venv/bin/python"

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	 if [ -n "$$missing" ]; then \
	   echo "installing Debian packages:" $$missing; \
	   $(SUDO) apt-get update -qq; \
	   DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	     $$missing >/dev/null; \
	 fi

## demo: the main job on generated data (grows with each issue until grid → extract → train → predict)
demo: setup
	@source $(ENV_FILE); bash scripts/demo.sh "$$ENGINE_PY" "$(DEMO_DIR)"

## demo-fusion: optical time series + radar → fused model → prediction → evaluation
DEMO_FUSION_DIR ?= demo-fusion-output
demo-fusion: setup
	@source $(ENV_FILE); bash scripts/demo_fusion.sh "$$ENGINE_PY" "$(DEMO_FUSION_DIR)"

## test: every test, headless
test: setup test-engine test-plugin

test-engine:
	@source $(ENV_FILE); "$$ENGINE_PY" -m pytest tests/engine tests/reliability/engine -q -p no:cacheprovider

test-plugin: transcompile
	@source $(ENV_FILE); QT_QPA_PLATFORM=offscreen SATSEG_ENGINE_PYTHON="$$ENGINE_PY" SATSEG_REQUIRE_ENGINE=1 \
	  "$$QGIS_PY" -m pytest tests/plugin tests/reliability/plugin -q -p no:cacheprovider

lint: setup
	@source $(ENV_FILE); "$$(dirname "$$ENGINE_PY")/ruff" check engine satseg_plugin tests \
	  benchmarks scripts

## package: build/satseg_plugin.zip for QGIS's "Install from ZIP" (plugin, engine, icons, .qm)
package: transcompile
	@/usr/bin/python3 scripts/package.py --output build/satseg_plugin.zip

## deploy: install the packaged plugin into a QGIS profile (QGIS_PROFILE_DIR=...)
deploy: package
	@/usr/bin/python3 scripts/package.py --output build/satseg_plugin.zip \
	  --deploy "$(QGIS_PROFILE_DIR)/python/plugins"

## screenshots: regenerate the screenshots in docs/ (sample data, real dialogs and toolbox, real runs)
screenshots: setup
	@source $(ENV_FILE); for script in screenshots processing_toolbox_shot polygons_shot; do \
	  SATSEG_ENGINE_PYTHON="$$ENGINE_PY" \
	    xvfb-run -a -s "-screen 0 1600x1000x24" "$$QGIS_PY" scripts/$$script.py; done

transup:
	python3 scripts/transup.py

transcompile:
	@for ts in i18n/*.ts; do $(LRELEASE) -silent "$$ts" -qm "$${ts%.ts}.qm"; done

clean:
	rm -rf build dist $(DEMO_DIR) $(DEMO_FUSION_DIR) i18n/*.qm
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
