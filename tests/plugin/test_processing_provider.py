"""The satseg Processing provider in a real headless QGIS: what the toolbox lists, parameters
with the engine's bounds, enums from `satseg models`, the plugin registering it, and bad input
(no engine, a raster smaller than a cell) answered with the fix."""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest
from qgis import processing
from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingException
from qgis.PyQt.QtGui import QTextDocument

import satseg_plugin
from conftest import flush
from satseg_plugin.core import settings
from satseg_plugin.processing import engine_models

pytest.register_assert_rewrite("processing_support")
from processing_support import Recorder  # noqa: E402

pytest_plugins = ("processing_support",)  # its fixtures: provider, tiny_model, …

PIPELINE = {"satseg:grid": "Grid of patch cells", "satseg:extract": "Extract patches",
            "satseg:train": "Train a model", "satseg:predict": "Predict classes",
            "satseg:evaluate": "Evaluate a prediction",
            "satseg:export": "Export a model to ONNX",
            "satseg:vectorize": "Class raster to polygons"}
#: (algorithm, parameter) -> (engine job class, its key)
BOUNDED = {("grid", "PATCH_SIZE"): ("satseg_engine.geo.options:GridJob", "patch_size"),
           ("grid", "MAX_NODATA_FRAC"): ("satseg_engine.geo.options:GridJob",
                                         "max_nodata_frac"),
           ("extract", "WORKERS"): ("satseg_engine.data.options:ExtractJob", "workers"),
           ("train", "EPOCHS"): ("satseg_engine.training.options:TrainJob", "epochs"),
           ("train", "BATCH_SIZE"): ("satseg_engine.training.options:TrainJob", "batch_size"),
           ("train", "LEARNING_RATE"): ("satseg_engine.training.options:OptimOptions", "lr"),
           ("predict", "BATCH_SIZE"): ("satseg_engine.prediction.options:PredictJob",
                                       "batch_size"),
           ("predict", "OVERLAP"): ("satseg_engine.prediction.options:PredictJob", "overlap"),
           ("predict", "MARGIN"): ("satseg_engine.prediction.options:PredictJob", "margin"),
           ("evaluate", "IGNORE_VALUE"): ("satseg_engine.evaluation.options:EvaluateJob",
                                          "ignore_value"),
           ("export", "OPSET"): ("satseg_engine.export.options:ExportJob", "opset"),
           ("export", "TILE_OVERLAP"): ("satseg_engine.export.options:ExportJob",
                                        "tile_overlap"),
           ("vectorize", "MIN_SIZE"): ("satseg_engine.vectorization.options:VectorizeJob",
                                       "min_size"),
           ("vectorize", "SMOOTH"): ("satseg_engine.vectorization.options:VectorizeJob",
                                     "smooth"),
           ("vectorize", "BLOCK_SIZE"): ("satseg_engine.vectorization.options:VectorizeJob",
                                         "block_size")}


def engine_bounds(engine_python: str) -> dict:
    """(job class, key) -> [min, max] as the engine's job dataclasses declare them."""
    script = (
        "import dataclasses, importlib, json, sys\n"
        "out = {}\n"
        "for spec in json.loads(sys.argv[1]):\n"
        "    module, name = spec[0].split(':')\n"
        "    fields = {f.name: f for f in dataclasses.fields(getattr(importlib.import_module("
        "module), name))}\n"
        "    meta = fields[spec[1]].metadata\n"
        "    out['|'.join(spec)] = [meta.get('min'), meta.get('max')]\n"
        "print(json.dumps(out))\n")
    result = subprocess.run([engine_python, "-c", script, json.dumps(list(BOUNDED.values()))],
                            capture_output=True, text=True, check=True, timeout=60)
    return json.loads(result.stdout)


def test_toolbox_lists_the_pipeline_algorithms_with_icons_and_help(provider):
    registry = QgsApplication.processingRegistry()
    listed = {alg.id(): alg.displayName() for alg in registry.providerById("satseg")
              .algorithms()}
    assert {k: listed.get(k) for k in PIPELINE} == PIPELINE
    for alg_id in listed:
        alg = registry.algorithmById(alg_id)
        assert not alg.icon().isNull(), alg_id
        assert len(alg.shortHelpString()) > 80, alg_id
        # the toolbox shows the help as HTML: an unknown <word> would vanish from it
        assert not re.findall(r"<(?!/?(?:i|b|br|p|code|ul|li)\b)[^>]*>",
                              alg.shortHelpString()), alg_id
    evaluate = registry.algorithmById("satseg:evaluate").shortHelpString()
    document = QTextDocument()
    document.setHtml(evaluate)
    assert "name_evaluation.json" in document.toPlainText()
    assert not provider.icon().isNull()
    assert provider.supportedOutputRasterLayerExtensions() == ["tif"]


def test_predict_takes_a_checkpoint_or_an_exported_onnx_model(provider):
    parameter = QgsApplication.processingRegistry().algorithmById(
        "satseg:predict").parameterDefinition("CHECKPOINT")
    assert parameter.checkValueIsAcceptable("/data/model/best_iou.pt")
    assert parameter.checkValueIsAcceptable("/data/model/best_iou.onnx")
    assert "*.onnx" in parameter.fileFilter() and "*.pt" in parameter.fileFilter()


def test_number_parameters_have_the_engine_jobs_bounds(provider, engine_python):
    bounds = engine_bounds(engine_python)
    registry = QgsApplication.processingRegistry()
    for (alg, name), spec in BOUNDED.items():
        parameter = registry.algorithmById(f"satseg:{alg}").parameterDefinition(name)
        low, high = bounds["|".join(spec)]
        assert parameter.minimum() == pytest.approx(low), (alg, name)
        if high is not None:
            assert parameter.maximum() == pytest.approx(high), (alg, name)
        else:  # unbounded in the engine: no maximum here either
            assert parameter.maximum() > 1e300, (alg, name)


def test_train_enums_are_filled_from_satseg_models_without_blocking_the_load(
        qgis_processing, models_cache, use_engine, engine, qtbot):
    for path in models_cache.glob("models-*.json"):
        path.unlink()
    engine_models._MEMORY.clear()
    from satseg_plugin.processing.provider import SatsegProvider

    registry = QgsApplication.processingRegistry()
    registry.removeProvider("satseg")
    started = time.monotonic()
    fresh = SatsegProvider()
    registry.addProvider(fresh)
    try:
        assert time.monotonic() - started < 3, "loading the provider waited for the engine"
        reported = engine("models")["summary"]
        encoders = ["auto", *reported["encoders"]]
        assert len(encoders) > len(engine_models.FALLBACK["encoders"]) + 1
        qtbot.waitUntil(lambda: registry.algorithmById("satseg:train").parameterDefinition(
            "ENCODER").options() == encoders, timeout=120000)
        train = registry.algorithmById("satseg:train")
        assert train.parameterDefinition("ARCHITECTURE").options() == [
            a["name"] for a in reported["architectures"]]
        assert train.parameterDefinition("LOSS").options() == list(reported["losses"])
        assert list(models_cache.glob("models-*.json")), "the engine's answer was not cached"
    finally:
        registry.removeProvider("satseg")


def test_a_missing_engine_python_fails_the_run_with_the_setup_fix(provider, sample_dataset,
                                                                   tmp_path):
    settings.set_engine_python(str(tmp_path / "no-such-python"))
    alg = QgsApplication.processingRegistry().algorithmById("satseg:grid")
    assert alg is not None, "the provider must load without an engine"
    parameters = {"INPUT": str(sample_dataset / "scene.tif"), "OUTPUT": str(tmp_path / "g.gpkg")}
    ok, message = alg.checkParameterValues(parameters, QgsProcessingContext())
    assert not ok and "does not exist" in message and "Set up engine environment" in message
    with pytest.raises(QgsProcessingException, match="Set up engine environment"):
        processing.run("satseg:grid", parameters, feedback=Recorder())
    assert not (tmp_path / "g.gpkg").exists()


def test_a_raster_smaller_than_a_cell_is_refused_with_the_fix(provider, sample_dataset,
                                                              tmp_path):
    output = tmp_path / "grid.gpkg"
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("satseg:grid", {"INPUT": str(sample_dataset / "scene.tif"),
                                       "PATCH_SIZE": 512, "OUTPUT": str(output)},
                       feedback=Recorder())
    text = str(raised.value)
    assert "512" in text and "patch_size" in text, text
    assert not output.exists()


def test_the_plugin_registers_the_provider_and_unload_removes_it(qgis_iface, qgis_processing,
                                                                 models_cache, use_engine):
    registry = QgsApplication.processingRegistry()
    registry.removeProvider("satseg")
    plugin = satseg_plugin.classFactory(qgis_iface)
    plugin.initGui()
    plugin.initProcessing()  # qgis_process calls it too: still one provider
    assert [p.id() for p in registry.providers()].count("satseg") == 1
    assert registry.algorithmById("satseg:predict") is not None
    plugin.unload()
    flush()
    assert registry.providerById("satseg") is None
