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


CUDA_DEVICES_KEY = "satseg/cuda_devices"


def cuda_device_count() -> int:
    """How many CUDA devices the engine's `doctor` saw at the last Check (0 before any)."""
    return int(QgsSettings().value(CUDA_DEVICES_KEY, 0, type=int) or 0)


def set_cuda_device_count(count: int) -> None:
    QgsSettings().setValue(CUDA_DEVICES_KEY, int(count))
