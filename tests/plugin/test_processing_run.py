"""Each satseg algorithm run by `processing.run` / `processing.runAndLoadResults` in a real
headless QGIS with real engine runs on the generated sample: its files, its outputs, and the
layers it loads styled as the dialogs style them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from osgeo import gdal, ogr
from qgis import processing
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsPalettedRasterRenderer,
    QgsProcessingException,
    QgsProject,
    QgsSingleBandPseudoColorRenderer,
)

pytest.register_assert_rewrite("processing_support")
from processing_support import Recorder, dataset_classes  # noqa: E402

pytest_plugins = ("processing_support",)  # its fixtures: provider, tiny_model, …


def layer_named(name: str):
    found = QgsProject.instance().mapLayersByName(name)
    loaded = [layer.name() for layer in QgsProject.instance().mapLayers().values()]
    assert len(found) == 1, f"{name} among {loaded}"
    return found[0]


def test_grid_writes_the_cells_and_loads_them_styled_by_split(provider, qgis_new_project,
                                                              sample_dataset, tmp_path):
    output = tmp_path / "cells.gpkg"
    feedback = Recorder()
    result = processing.runAndLoadResults("satseg:grid", {
        "INPUT": str(sample_dataset / "scene.tif"), "LABELS": str(sample_dataset / "labels.tif"),
        "PATCH_SIZE": 64, "SPLIT_METHOD": "random", "OUTPUT": str(output)}, feedback=feedback)
    source = ogr.Open(str(output))
    cells = source.GetLayerByName("grid")
    splits = [feature.GetField("split") for feature in cells]
    assert result["CELLS"] == len(splits) == 16  # 256 px / 64 px = 4 × 4 cells
    assert result["TRAIN_CELLS"] == splits.count("train") > 0
    assert result["VALIDATION_CELLS"] + result["TEST_CELLS"] == 16 - splits.count("train")
    assert max(feedback.progress_values) == 100
    layer = layer_named("Grid")
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert renderer.classAttribute() == "split"
    assert [c.value() for c in renderer.categories()] == ["train", "validation", "test"]
    QgsProject.instance().removeAllMapLayers()


def test_extract_writes_a_dataset_with_the_label_layers_classes(provider, sample_dataset,
                                                                tmp_path):
    output = tmp_path / "patches"
    result = processing.run("satseg:extract", {
        "INPUT": str(sample_dataset / "scene.tif"), "LABELS": str(sample_dataset / "labels.tif"),
        "GRID": str(sample_dataset / "grid.gpkg"), "OUTPUT": str(output)}, feedback=Recorder())
    images = sorted(output.glob("Patch/*/images/*.tif"))
    assert result["OUTPUT"] == str(output) and result["DATASET"] == str(output / "dataset.json")
    assert result["PATCHES"] == len(images) == 16
    assert result["TRAIN_PATCHES"] == len(list(output.glob("Patch/train/images/*.tif")))
    # the classes of the label raster's colour table, as the dialog pre-fills them
    assert dataset_classes(output) == dataset_classes(sample_dataset / "dataset")


def test_train_writes_checkpoints_and_reports_epochs(provider, sample_dataset, tmp_path):
    output = tmp_path / "model"
    feedback = Recorder()
    result = processing.run("satseg:train", {
        "DATASET": str(sample_dataset / "dataset"), "PRESET": "quick_test",
        "ARCHITECTURE": "custom_unet", "EPOCHS": 2, "BATCH_SIZE": 4, "STEPS_PER_EPOCH": 2,
        "DEVICE": "cpu", "OUTPUT": str(output)}, feedback=feedback)
    assert result["CHECKPOINT"] == str(output / "best_iou.pt")
    assert (output / "best_iou.pt").is_file() and (output / "last.pt").is_file()
    metrics = json.loads((output / "metrics.json").read_text(encoding="utf-8"))
    assert result["EPOCHS_RUN"] == len(metrics["history"]) == 2
    assert result["MIOU"] == pytest.approx(metrics["summary"]["validation"]["miou"])
    assert [i for i in feedback.infos if i.startswith("epoch 2 validation: loss")]
    assert max(feedback.progress_values) == 100  # progress spans both epochs


def test_predict_loads_a_styled_class_layer_and_a_confidence_layer(
        provider, qgis_new_project, sample_dataset, tiny_model, tmp_path):
    classes, confidence = tmp_path / "out" / "classes.tif", tmp_path / "out" / "conf.tif"
    result = processing.runAndLoadResults("satseg:predict", {
        "INPUT": str(sample_dataset / "scene.tif"), "CHECKPOINT": str(tiny_model),
        "OUTPUT": str(classes), "CONFIDENCE": str(confidence)}, feedback=Recorder())
    assert result["OUTPUT"] == str(classes) and result["CONFIDENCE"] == str(confidence)
    scene = gdal.Open(str(sample_dataset / "scene.tif"))
    for path in (classes, confidence):
        raster = gdal.Open(str(path))
        assert (raster.RasterXSize, raster.RasterYSize) == (scene.RasterXSize,
                                                            scene.RasterYSize)
        assert raster.GetGeoTransform() == scene.GetGeoTransform()
        raster = None
    assert sorted(p.name for p in classes.parent.iterdir()) == ["classes.tif", "conf.tif"]
    class_layer = layer_named("Classes")
    assert isinstance(class_layer.renderer(), QgsPalettedRasterRenderer)
    assert {c.value: c.label for c in class_layer.renderer().classes()} == dataset_classes(
        sample_dataset / "dataset")
    assert isinstance(layer_named("Confidence").renderer(), QgsSingleBandPseudoColorRenderer)
    QgsProject.instance().removeAllMapLayers()


def test_evaluate_reports_the_scores_of_its_json_report(provider, sample_dataset, tiny_model,
                                                        tmp_path):
    predicted = processing.run("satseg:predict", {
        "INPUT": str(sample_dataset / "scene.tif"), "CHECKPOINT": str(tiny_model),
        "OUTPUT": str(tmp_path / "c.tif"), "CONFIDENCE": "TEMPORARY_OUTPUT"},
        feedback=Recorder())
    result = processing.run("satseg:evaluate", {
        "PREDICTION": predicted["OUTPUT"], "LABELS": str(sample_dataset / "labels.tif"),
        "OUTPUT": str(tmp_path / "report")}, feedback=Recorder())
    report = json.loads(Path(result["REPORT"]).read_text(encoding="utf-8"))
    assert Path(result["REPORT"]).parent == tmp_path / "report"
    assert result["MIOU"] == pytest.approx(report["miou"])
    assert result["KAPPA"] == pytest.approx(report["kappa"])
    assert 0 < result["ACCURACY"] <= 1


def test_predict_refuses_a_raster_with_other_bands_and_leaves_nothing(
        provider, sample_dataset, tiny_model, tmp_path):
    three_bands = tmp_path / "rgb.tif"
    gdal.Translate(str(three_bands), str(sample_dataset / "scene.tif"), bandList=[1, 2, 3])
    classes = tmp_path / "out" / "classes.tif"
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("satseg:predict", {
            "INPUT": str(three_bands), "CHECKPOINT": str(tiny_model), "OUTPUT": str(classes),
            "CONFIDENCE": str(tmp_path / "out" / "conf.tif")}, feedback=Recorder())
    assert "3" in str(raised.value) and "10" in str(raised.value), str(raised.value)
    assert list(classes.parent.iterdir()) == []


def test_vectorize_loads_polygons_styled_by_class(provider, qgis_new_project, sample_dataset,
                                                  tiny_model, tmp_path):
    predicted = processing.run("satseg:predict", {
        "INPUT": str(sample_dataset / "scene.tif"), "CHECKPOINT": str(tiny_model),
        "OUTPUT": str(tmp_path / "c.tif"), "CONFIDENCE": str(tmp_path / "p.tif")},
        feedback=Recorder())
    output = tmp_path / "polygons.gpkg"
    result = processing.runAndLoadResults("satseg:vectorize", {
        "INPUT": predicted["OUTPUT"], "CONFIDENCE": predicted["CONFIDENCE"], "MIN_SIZE": 4,
        "OUTPUT": str(output)}, feedback=Recorder())
    source = ogr.Open(str(output))  # kept: its layer dies with it
    rows = [(f.GetField("class_value"), f.GetField("class_name"), f.GetField("mean_confidence"))
            for f in source.GetLayerByName("polygons")]
    source = None
    assert result["POLYGONS"] == len(rows) > 0
    names = dataset_classes(sample_dataset / "dataset")
    assert all(names[value] == name and 0 < confidence <= 1 for value, name, confidence in rows)
    renderer = layer_named("Polygons").renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert renderer.classAttribute() == "class_value"
    assert {c.label() for c in renderer.categories()} == {name for _v, name, _c in rows}
    QgsProject.instance().removeAllMapLayers()


def test_export_writes_an_onnx_model_that_matches_pytorch(provider, tiny_model, tmp_path):
    output = tmp_path / "model.onnx"
    result = processing.run("satseg:export", {"CHECKPOINT": str(tiny_model),
                                              "OUTPUT": str(output)}, feedback=Recorder())
    assert result["OUTPUT"] == str(output) and output.stat().st_size > 1000
    assert 0 <= result["MAX_ABS_DIFF"] <= 1e-3  # the default tolerance


def test_batch_rows_run_one_after_another_on_one_algorithm(provider, sample_dataset,
                                                           tiny_model, tmp_path):
    """What the batch dialog does: one algorithm instance, one run per row."""
    from qgis.core import QgsApplication, QgsProcessingContext

    second = tmp_path / "second.tif"
    gdal.Translate(str(second), str(sample_dataset / "scene.tif"), srcWin=[0, 0, 128, 96])
    alg = QgsApplication.processingRegistry().createAlgorithmById("satseg:predict")
    sizes = []
    windows = ({"WINDOW": "patch", "OVERLAP": 0.25}, {"WINDOW_SIZE": 64, "MARGIN": 8})
    for index, raster in enumerate((sample_dataset / "scene.tif", second)):
        row = {"INPUT": str(raster), "CHECKPOINT": str(tiny_model), **windows[index],
               "OUTPUT": str(tmp_path / f"row{index}_classes.tif"),
               "CONFIDENCE": str(tmp_path / f"row{index}_confidence.tif")}
        results, ok = alg.run(row, QgsProcessingContext(), Recorder())
        assert ok and results["OUTPUT"] == row["OUTPUT"]
        job = alg.job(row, QgsProcessingContext(), Recorder())
        assert job["window"] == ("patch", 64)[index], "the chosen windows reach the engine"
        assert job.get("margin") == (None, 8)[index]
        written = gdal.Open(results["OUTPUT"])
        sizes.append((written.RasterXSize, written.RasterYSize))
        written = None
    assert sizes == [(256, 256), (128, 96)]


def test_predict_in_a_background_task_as_the_toolbox_dialog_runs_it(
        provider, qgis_new_project, qtbot, sample_dataset, tiny_model, tmp_path):
    """The dialog runs an algorithm in a QgsProcessingAlgRunnerTask (a worker thread), then
    loads the outputs in the main thread, where the style post-processors run."""
    from processing.gui.Postprocessing import handleAlgorithmResults
    from qgis.core import (
        QgsApplication,
        QgsProcessingAlgRunnerTask,
        QgsProcessingContext,
        QgsProcessingOutputLayerDefinition,
    )

    project = QgsProject.instance()
    alg = QgsApplication.processingRegistry().createAlgorithmById("satseg:predict")
    context, feedback = QgsProcessingContext(), Recorder()
    context.setProject(project)
    classes = tmp_path / "classes.tif"
    parameters = {"INPUT": str(sample_dataset / "scene.tif"), "CHECKPOINT": str(tiny_model),
                  "OUTPUT": QgsProcessingOutputLayerDefinition(str(classes), project),
                  "CONFIDENCE": str(tmp_path / "confidence.tif")}
    task = QgsProcessingAlgRunnerTask(alg, parameters, context, feedback)
    with qtbot.waitSignal(task.executed, timeout=120000) as finished:
        QgsApplication.taskManager().addTask(task)
    assert finished.args[0] is True and classes.is_file()
    handleAlgorithmResults(alg, context, feedback)
    layer = layer_named("Classes")
    assert {c.value: c.label for c in layer.renderer().classes()} == dataset_classes(
        sample_dataset / "dataset")
    assert not project.mapLayersByName("Confidence"), "only the output asked to load loads"
    project.removeAllMapLayers()
