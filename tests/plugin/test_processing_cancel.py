"""Cancelling a satseg algorithm through its QgsProcessingFeedback stops the real engine: the
process is gone within the grace period, the run raises, and no output appears under a final
name (a cancelled training keeps only its resumable last.pt)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from qgis import processing
from qgis.core import QgsProcessingException

from satseg_plugin.core.engine_command import CANCEL_GRACE_MS

pytest.register_assert_rewrite("processing_support")
from processing_support import Recorder  # noqa: E402

pytest_plugins = ("processing_support",)  # its fixtures: provider, tiny_model, …


def engine_children() -> list[int]:
    """Engine processes started by this process (found in /proc by their command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"satseg_engine" in cmdline:
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class CancelOn(Recorder):
    """Cancels at the first progress (or the first message, `on="info"`), remembering the
    engine processes running at that moment."""

    def __init__(self, on: str = "progress") -> None:
        super().__init__()
        self.on, self.engines, self.cancelled_at = on, [], 0.0

    def _cancel(self) -> None:
        if not self.isCanceled():
            self.engines = engine_children()
            self.cancelled_at = time.monotonic()
            self.cancel()

    def setProgress(self, progress: float) -> None:
        super().setProgress(progress)
        if self.on == "progress":
            self._cancel()

    def pushInfo(self, info: str) -> None:
        super().pushInfo(info)
        if self.on == "info":
            self._cancel()


def test_cancel_after_the_first_progress_stops_training(provider, sample_dataset, tmp_path):
    output = tmp_path / "model"
    feedback = CancelOn("progress")
    with pytest.raises(QgsProcessingException, match="cancelled"):
        processing.run("satseg:train", {
            "DATASET": str(sample_dataset / "dataset"), "PRESET": "quick_test",
            "ARCHITECTURE": "custom_unet", "EPOCHS": 200, "BATCH_SIZE": 2,
            "OUTPUT": str(output)}, feedback=feedback)
    stopped_after = time.monotonic() - feedback.cancelled_at
    assert len(feedback.engines) == 1, "no engine was running when the run was cancelled"
    assert not any(alive(pid) for pid in feedback.engines)
    assert stopped_after < CANCEL_GRACE_MS / 1000 + 5
    assert not (output / "best_iou.pt").exists() and not (output / "metrics.json").exists()
    assert (output / "last.pt").is_file(), "a cancelled training leaves a resumable last.pt"


def test_cancel_of_a_prediction_leaves_no_output(provider, sample_scene, tiny_model, tmp_path):
    out = tmp_path / "out"
    feedback = CancelOn("info")
    with pytest.raises(QgsProcessingException, match="cancelled"):
        processing.run("satseg:predict", {
            "INPUT": str(sample_scene / "scene.tif"), "CHECKPOINT": str(tiny_model),
            "TTA": True, "OUTPUT": str(out / "classes.tif"),
            "CONFIDENCE": str(out / "confidence.tif")}, feedback=feedback)
    assert feedback.engines and not any(alive(pid) for pid in feedback.engines)
    assert list(out.iterdir()) == [], "something was left under the output folder"
