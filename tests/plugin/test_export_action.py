""""Export model…" in a real headless QGIS with the real engine: a checkpoint trained once for
the module is exported from the Predict dialog's model box and from the training results, and
the dialog's model chooser takes the .onnx file it wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from satseg_plugin.gui.export_action import ExportModelButton, default_output
from satseg_plugin.gui.predict_model import ModelPanel
from satseg_plugin.gui.train_results import ArtifactsPanel

RUN_TIMEOUT_MS = 120000


@pytest.fixture(scope="module")
def trained(tmp_path_factory, sample_dataset, engine) -> Path:
    out = tmp_path_factory.mktemp("export")
    engine("train", "--dataset", str(sample_dataset / "dataset"), "--output-dir",
           str(out / "model"), "--epochs", "1", "--model.architecture", "custom_unet",
           "--model.depth", "2", "--model.base-width", "8", "--batch-size", "4",
           "--data.num-workers", "0")
    return out / "model" / "best_iou.pt"


@pytest.fixture
def checkpoint(trained, tmp_path) -> Path:
    copy = tmp_path / "model.pt"
    shutil.copy(trained, copy)
    return copy


def export(qtbot, button: ExportModelButton, checkpoint: Path, output: Path) -> str:
    with qtbot.waitSignal(button.finished, timeout=RUN_TIMEOUT_MS) as blocker:
        button.export(str(checkpoint), str(output))
    return blocker.args[0]


def test_the_model_box_exports_and_then_reads_the_onnx_file(qtbot, use_engine, checkpoint,
                                                            tmp_path):
    panel = ModelPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.inspect_finished, timeout=RUN_TIMEOUT_MS):
        panel.set_path(str(checkpoint))
    classes_from_pt = panel.classes_text()
    assert panel.export.button.isEnabled()
    out = tmp_path / "exported.onnx"
    with qtbot.waitSignal(panel.export.exported, timeout=RUN_TIMEOUT_MS) as blocker:
        panel.export.export(str(checkpoint), str(out))
    path, summary = blocker.args
    assert Path(path) == out.resolve() and out.is_file()
    assert summary["max_abs_diff"] < 1e-3 and summary["deepness"]["model_type"] == "Segmentor"
    assert "exported.onnx" in panel.export.status.text()
    # the chooser takes the .onnx: the same header, read by `satseg inspect`
    assert "*.onnx" in panel.file.filter()
    with qtbot.waitSignal(panel.inspect_finished, timeout=RUN_TIMEOUT_MS) as read:
        panel.set_path(str(out))
    assert read.args[0] == ""
    assert panel.header["format"] == "onnx"
    assert panel.classes_text() == classes_from_pt
    assert not panel.export.button.isEnabled()  # an .onnx is not exported again


def test_the_training_results_export_the_selected_checkpoint(qtbot, use_engine, checkpoint):
    panel = ArtifactsPanel()
    qtbot.addWidget(panel)
    assert not panel.export.button.isEnabled()
    panel.add("plot", str(checkpoint.with_suffix(".png")), "curves")
    panel.add("checkpoint", str(checkpoint), "best_iou")
    assert panel.export_checkpoint() == str(checkpoint)
    assert panel.export.button.isEnabled()
    assert export(qtbot, panel.export, checkpoint, Path(default_output(str(checkpoint)))) == ""
    assert checkpoint.with_suffix(".onnx").is_file()


def test_a_failed_export_says_why_and_writes_nothing(qtbot, use_engine, tmp_path):
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    button = ExportModelButton(lambda: str(broken))
    qtbot.addWidget(button)
    message = export(qtbot, button, broken, tmp_path / "broken.onnx")
    assert "Export failed" in message and "checkpoint" in message
    assert not (tmp_path / "broken.onnx").exists()
