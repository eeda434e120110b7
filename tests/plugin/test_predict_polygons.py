"""The Predict dialog's "Polygons" option in a real headless QGIS with the real engine: the
class map also comes back as a vector layer, categorised by class in the model's colours."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsLayerTreeGroup,
    QgsProject,
    QgsSettings,
    QgsVectorLayer,
)

from conftest import run_dialog
from satseg_plugin.core.engine_runner import RunState
from satseg_plugin.gui.predict_dialog import LAST_CHECKPOINT_KEY, PredictDialog

RUN_TIMEOUT_MS = 120000
SAMPLE_CLASSES = [(1, "water", "#1f78b4"), (2, "forest", "#1b7837"), (3, "cropland", "#f2c14e"),
                  (4, "built-up", "#e31a1c"), (5, "road", "#3d3d3d"), (6, "grassland", "#a6d96a")]


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory, sample_dataset, engine) -> Path:
    """scene.tif (10 bands, 256 px) and model/best_iou.pt: a tiny custom U-Net trained one
    epoch on the sample dataset's 64-px patches."""
    out = tmp_path_factory.mktemp("polygons")
    shutil.copy(sample_dataset / "scene.tif", out / "scene.tif")
    engine("train", "--dataset", str(sample_dataset / "dataset"), "--output-dir",
           str(out / "model"), "--epochs", "1", "--model.architecture", "custom_unet",
           "--model.depth", "2", "--model.base-width", "8", "--batch-size", "4",
           "--data.num-workers", "0")
    return out


@pytest.fixture
def dialog(qgis_iface, add_layers, sample_dir, use_engine, saved_settings, dialogs, tmp_path,
           qtbot):
    QgsSettings().remove(LAST_CHECKPOINT_KEY)
    project = add_layers(scene=sample_dir / "scene.tif")
    made = dialogs(PredictDialog(qgis_iface))
    made.raster_combo.setLayer(project["scene"])
    made.output_dir.setFilePath(str(tmp_path / "out"))
    with qtbot.waitSignal(made.model.inspect_finished, timeout=RUN_TIMEOUT_MS):
        made.model.set_path(str(sample_dir / "model" / "best_iou.pt"))
    return made


def test_polygons_are_added_to_the_group_categorised_by_class(qtbot, dialog, tmp_path):
    assert "vectorize" not in dialog.job() and "vectorize_min_size" not in dialog.job()
    dialog.polygons.enabled.setChecked(True)
    dialog.polygons.min_size.setValue(6)
    dialog.name.setText("run")
    job = dialog.job()
    assert (job["vectorize"], job["vectorize_min_size"]) == (True, 6)

    assert run_dialog(qtbot, dialog, timeout_ms=RUN_TIMEOUT_MS) is RunState.DONE, \
        dialog.panel.message_text()
    layer = dialog.polygon_layer
    assert layer is not None and layer.isValid()
    assert Path(layer.source().split("|")[0]) == tmp_path / "out" / "run_polygons.gpkg"
    group = next(n for n in QgsProject.instance().layerTreeRoot().children()
                 if isinstance(n, QgsLayerTreeGroup) and n.name() == "Prediction: run")
    assert group.findLayers()[0].layer() is layer, "on top of the group"
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert renderer.classAttribute() == "class_value"
    assert [(int(c.value()), c.label(), c.symbol().color().name())
            for c in renderer.categories()] == SAMPLE_CLASSES
    assert layer.featureCount() > 0
    names = {v: n for v, n, _ in SAMPLE_CLASSES}
    for feature in layer.getFeatures():
        assert feature["class_name"] == names[feature["class_value"]]
        assert feature["pixels"] >= 1 and 0 < feature["mean_confidence"] <= 1
    written = json.loads((tmp_path / "out" / "run_summary.json").read_text(encoding="utf-8"))
    assert sum(f["pixels"] for f in layer.getFeatures()) == written["predicted_pixels"]
    assert written["polygons"]["features"] == layer.featureCount()
    del layer

    # a second run without the option replaces the group: no polygons are left
    dialog.polygons.enabled.setChecked(False)
    assert run_dialog(qtbot, dialog, timeout_ms=RUN_TIMEOUT_MS) is RunState.DONE
    assert "vectorize" not in dialog.job()
    assert dialog.polygon_layer is None
    assert not [layer for layer in QgsProject.instance().mapLayers().values()
                if isinstance(layer, QgsVectorLayer)]
