"""The plugin's settings (QgsSettings under "satseg/")."""

from __future__ import annotations

import os

from qgis.core import QgsSettings

ENGINE_PYTHON_KEY = "satseg/engine_python"


def engine_python() -> str:
    """The engine interpreter chosen by the user; SATSEG_ENGINE_PYTHON overrides when unset."""
    value = QgsSettings().value(ENGINE_PYTHON_KEY, "", type=str)
    return value or os.environ.get("SATSEG_ENGINE_PYTHON", "")


def set_engine_python(path: str) -> None:
    QgsSettings().setValue(ENGINE_PYTHON_KEY, path)
