"""Plugin tests run in a real headless QGIS (pytest-qgis) with the real engine interpreter."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_ENGINE_PYTHON = "/root/.cache/satseg/engine-a22f092b2da7/bin/python"


@pytest.fixture
def engine_python() -> str:
    """The engine interpreter (SATSEG_ENGINE_PYTHON, else the cached engine environment)."""
    path = os.environ.get("SATSEG_ENGINE_PYTHON") or DEFAULT_ENGINE_PYTHON
    if not os.path.isfile(path):
        pytest.skip(f"no engine interpreter at {path}: build one with scripts/engine-env.sh "
                    f"and set SATSEG_ENGINE_PYTHON to its bin/python")
    return path
