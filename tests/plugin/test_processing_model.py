"""A Graphical Modeler model built in code — grid → extract → train → predict, each child's
output feeding the next — runs in a real headless QGIS with real engine runs and produces the
class and confidence rasters."""

from __future__ import annotations

import pytest
from osgeo import gdal
from qgis import processing
from qgis.core import (
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterRasterLayer,
)

pytest.register_assert_rewrite("processing_support")
from processing_support import Recorder, dataset_classes  # noqa: E402

pytest_plugins = ("processing_support",)  # its fixtures: provider, tiny_model, …

Source = QgsProcessingModelChildParameterSource


def child(model: QgsProcessingModelAlgorithm, alg_id: str, sources: dict,
          outputs: tuple = ()) -> str:
    """Add a child algorithm with its parameter sources; `outputs` become model outputs."""
    step = QgsProcessingModelChildAlgorithm(alg_id)
    step.generateChildId(model)
    step.setDescription(alg_id)
    for name, source in sources.items():
        step.addParameterSources(name, [source])
    model_outputs = {}
    for name in outputs:
        output = QgsProcessingModelOutput(name.lower(), name.lower())
        output.setChildOutputName(name)
        output.setChildId(step.childId())
        model_outputs[name.lower()] = output
    step.setModelOutputs(model_outputs)
    model.addChildAlgorithm(step)
    return step.childId()


def pipeline_model() -> QgsProcessingModelAlgorithm:
    model = QgsProcessingModelAlgorithm("satseg pipeline", "satseg")
    for name in ("image", "labels"):
        model.addModelParameter(QgsProcessingParameterRasterLayer(name, name),
                                QgsProcessingModelParameter(name))
    image, labels = Source.fromModelParameter("image"), Source.fromModelParameter("labels")
    grid = child(model, "satseg:grid", {
        "INPUT": image, "LABELS": labels, "PATCH_SIZE": Source.fromStaticValue(64),
        "OUTPUT": Source.fromStaticValue("TEMPORARY_OUTPUT")})
    extract = child(model, "satseg:extract", {
        "INPUT": image, "LABELS": labels, "GRID": Source.fromChildOutput(grid, "OUTPUT")})
    train = child(model, "satseg:train", {
        "DATASET": Source.fromChildOutput(extract, "OUTPUT"),
        "PRESET": Source.fromStaticValue("quick_test"),
        "ARCHITECTURE": Source.fromStaticValue("custom_unet"),
        "EPOCHS": Source.fromStaticValue(1), "STEPS_PER_EPOCH": Source.fromStaticValue(2),
        "BATCH_SIZE": Source.fromStaticValue(4)})
    child(model, "satseg:predict", {
        "INPUT": image, "CHECKPOINT": Source.fromChildOutput(train, "CHECKPOINT")},
        outputs=("OUTPUT", "CONFIDENCE"))
    model.updateDestinationParameters()
    return model


def test_a_model_chains_grid_extract_train_predict(provider, sample_dataset, tmp_path):
    model = pipeline_model()
    destinations = {p.name(): p for p in model.destinationParameterDefinitions()}
    assert len(destinations) == 2, list(destinations)
    classes_name = next(n for n in destinations if n.endswith(":output"))
    confidence_name = next(n for n in destinations if n.endswith(":confidence"))
    classes, confidence = tmp_path / "classes.tif", tmp_path / "confidence.tif"
    feedback = Recorder()
    result = processing.run(model, {
        "image": str(sample_dataset / "scene.tif"), "labels": str(sample_dataset / "labels.tif"),
        classes_name: str(classes), confidence_name: str(confidence)}, feedback=feedback)
    assert result[classes_name] == str(classes) and result[confidence_name] == str(confidence)
    scene = gdal.Open(str(sample_dataset / "scene.tif"))
    predicted = gdal.Open(str(classes))
    assert (predicted.RasterXSize, predicted.RasterYSize) == (scene.RasterXSize,
                                                              scene.RasterYSize)
    values = {int(v) for v in set(predicted.ReadAsArray().ravel().tolist())} - {255}
    assert values and values <= set(dataset_classes(sample_dataset / "dataset"))
    predicted = scene = None
    assert confidence.is_file()
    for verb in ("grid", "extract", "train", "predict"):
        assert any(i.startswith(f"satseg {verb} (engine") for i in feedback.infos), verb
