"""Shared by the test_processing_* files: the satseg provider registered in a headless QGIS
with Processing initialised, a feedback that records what algorithms report, and helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from qgis.core import QgsApplication, QgsProcessingFeedback


@pytest.fixture(scope="session")
def models_cache(tmp_path_factory) -> Path:
    """The `satseg models` cache of these tests (never the user's ~/.cache)."""
    folder = tmp_path_factory.mktemp("satseg-cache")
    os.environ["SATSEG_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture
def provider(qgis_processing, models_cache, use_engine):
    """The satseg provider, registered for the test (the engine set in the settings)."""
    from satseg_plugin.processing.provider import SatsegProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("satseg") is not None:
        registry.removeProvider("satseg")
    made = SatsegProvider()
    assert registry.addProvider(made)
    yield made
    registry.removeProvider("satseg")


class Recorder(QgsProcessingFeedback):
    """Keeps every message and progress value an algorithm reports."""

    def __init__(self) -> None:
        super().__init__()
        self.infos: list[str] = []
        self.warnings: list[str] = []
        self.progress_values: list[float] = []

    def pushInfo(self, info: str) -> None:
        self.infos.append(info)

    def pushWarning(self, warning: str) -> None:
        self.warnings.append(warning)

    def setProgress(self, progress: float) -> None:
        self.progress_values.append(progress)
        super().setProgress(progress)


def dataset_classes(dataset: Path) -> dict[int, str]:
    """value -> name of the classes the engine wrote into a dataset.json."""
    data: dict[str, Any] = json.loads((dataset / "dataset.json").read_text(encoding="utf-8"))
    return {int(c["value"]): str(c["name"]) for c in data["classes"]}


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, engine, sample_dataset) -> Path:
    """best_iou.pt of a tiny custom U-Net trained for one epoch on the sample dataset by the
    engine's command line (the algorithms that use a model do not wait for a real training)."""
    out = tmp_path_factory.mktemp("tiny-model")
    engine("train", "--dataset", str(sample_dataset / "dataset"), "--output-dir", str(out),
           "--epochs", "1", "--batch-size", "4", "--model.architecture", "custom_unet",
           "--model.depth", "2", "--model.base-width", "8", "--no-augment.enabled")
    return out / "best_iou.pt"
