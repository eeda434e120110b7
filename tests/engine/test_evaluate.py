"""`satseg evaluate`: metrics from a confusion matrix, computed block by block from rasters."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from prediction_helpers import CLASSES, write_raster

from satseg_engine.core.cli import run_job
from satseg_engine.core.events import Events
from satseg_engine.evaluation.confusion import metrics
from satseg_engine.geo.classtable import CLASSES_TAG

THREE = CLASSES  # values 1, 4, 9

METRIC_CASES = [
    # confusion (rows reference, cols predicted), per-class IoU, OA, kappa
    ([[5, 0], [0, 5]], [1.0, 1.0], 1.0, 1.0),
    ([[3, 1], [2, 4]], [3 / 6, 4 / 7], 0.7, (0.7 - 0.5) / 0.5),
    # the third class is absent from both rasters: its metrics are None, left out of the means
    ([[4, 2, 0], [1, 3, 0], [0, 0, 0]], [4 / 7, 3 / 6, None], 0.7,
     (0.7 - (6 * 5 + 4 * 5) / 100) / (1 - 0.5)),
    # a class only predicted (never in the reference): IoU 0, recall undefined
    ([[2, 0, 1], [0, 2, 0], [0, 0, 0]], [2 / 3, 1.0, 0.0], 0.8, None),
]


@pytest.mark.parametrize(("confusion", "iou", "accuracy", "kappa"), METRIC_CASES)
def test_metrics_match_the_hand_computed_confusion_matrix(confusion, iou, accuracy, kappa):
    cm = np.array(confusion)
    classes = THREE[:len(cm)]
    result = metrics(cm, classes)
    got = [result["per_class"][c["name"]]["iou"] for c in classes]
    assert got == pytest.approx(iou)
    present = [v for v in iou if v is not None]
    assert result["miou"] == pytest.approx(sum(present) / len(present))
    assert result["overall_accuracy"] == pytest.approx(accuracy)
    if kappa is not None:
        assert result["kappa"] == pytest.approx(kappa)
    first = result["per_class"][classes[0]["name"]]
    tp, fp, fn = cm[0, 0], cm[:, 0].sum() - cm[0, 0], cm[0].sum() - cm[0, 0]
    assert first["precision"] == pytest.approx(tp / (tp + fp))
    assert first["recall"] == pytest.approx(tp / (tp + fn))
    assert first["f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn))


def test_kappa_against_its_textbook_value():
    cm = np.array([[20, 5], [10, 15]])  # Cohen's example: po 0.7, pe 0.5 -> 0.4
    assert metrics(cm, THREE[:2])["kappa"] == pytest.approx(0.4)


def _prediction(tmp_path, array):
    path = write_raster(tmp_path / "p_classes.tif", array[None].astype(np.uint8), nodata=255)
    import rasterio

    with rasterio.open(path, "r+") as dst:
        dst.update_tags(1, **{CLASSES_TAG: json.dumps(THREE)})
    return path


def _evaluate(tmp_path, **job):
    stream = io.StringIO()
    summary = run_job("evaluate", {"output_dir": str(tmp_path / "eval"), **job}, Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


def test_evaluate_rasters_ignores_nodata_and_ignore_pixels(tmp_path):
    rng = np.random.default_rng(0)
    values = np.array([1, 4, 9])
    predicted = values[rng.integers(0, 3, (700, 90))]   # more rows than one block (512)
    reference = values[rng.integers(0, 3, (700, 90))]
    predicted[:10] = 255                                  # prediction nodata
    reference[20:30] = 255                                # ignore value
    reference[40:45] = 7                                  # not a class: counted apart
    expected = np.zeros((3, 3), int)
    keep = (predicted != 255) & (reference != 255) & (reference != 7)
    lookup = {1: 0, 4: 1, 9: 2}
    for r, p in zip(reference[keep], predicted[keep], strict=True):
        expected[lookup[r], lookup[p]] += 1
    labels = write_raster(tmp_path / "labels.tif", reference[None].astype(np.uint8))
    summary, events = _evaluate(tmp_path, prediction=str(_prediction(tmp_path, predicted)),
                                labels=str(labels))
    assert summary["confusion_matrix"] == expected.tolist()
    assert summary["overall_accuracy"] == pytest.approx(np.trace(expected) / expected.sum())
    assert summary["unknown_label_pixels"] == 5 * 90
    report = json.loads((tmp_path / "eval" / "p_evaluation.json").read_text())
    # mIoU from the pixels themselves: |reference ∩ predicted| / |reference ∪ predicted| per class
    ious = [np.sum((reference[keep] == v) & (predicted[keep] == v))
            / np.sum((reference[keep] == v) | (predicted[keep] == v)) for v in (1, 4, 9)]
    assert report["miou"] == pytest.approx(float(np.mean(ious)))
    assert summary["miou"] == pytest.approx(float(np.mean(ious)))
    png = (tmp_path / "eval" / "p_confusion.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert {e.get("role") for e in events if e["type"] == "artifact"} == {
        "evaluation", "confusion_matrix"}
    assert any(e["type"] == "metric" and "miou" in e["values"] for e in events)


@pytest.mark.parametrize("field", ["code", "name"])
def test_evaluate_against_vector_labels(tmp_path, field):
    import geopandas as gpd
    from shapely.geometry import box

    predicted = np.full((40, 40), 1, np.uint8)
    predicted[:, 20:] = 4
    prediction = _prediction(tmp_path, predicted)
    # left half labelled water, right half forest but the last 10 columns say urban
    x0, y0 = 500_000, 4_000_000
    polygons = [box(x0, y0 - 400, x0 + 200, y0), box(x0 + 200, y0 - 400, x0 + 300, y0),
                box(x0 + 300, y0 - 400, x0 + 400, y0)]
    frame = gpd.GeoDataFrame({"code": [1, 4, 9], "name": ["water", "forest", "urban"]},
                             geometry=polygons, crs="EPSG:32632")
    frame.to_file(tmp_path / "labels.gpkg")
    summary, _ = _evaluate(tmp_path, prediction=str(prediction),
                           labels=str(tmp_path / "labels.gpkg"), class_field=field)
    assert summary["confusion_matrix"] == [[800, 0, 0], [0, 400, 0], [0, 400, 0]]
    assert summary["per_class"]["urban"]["iou"] == 0.0


def test_labels_on_another_grid_are_resampled_to_the_prediction(tmp_path):
    predicted = np.full((40, 40), 4, np.uint8)
    reference = np.full((1, 20, 20), 4, np.uint8)  # 20 m pixels over the same area
    reference[0, :, 10:] = 9
    labels = write_raster(tmp_path / "coarse.tif", reference, pixel=20.0)
    summary, _ = _evaluate(tmp_path, prediction=str(_prediction(tmp_path, predicted)),
                           labels=str(labels))
    assert summary["confusion_matrix"] == [[0, 0, 0], [0, 800, 0], [0, 800, 0]]


def test_vector_labels_without_class_field_are_refused(tmp_path):
    prediction = _prediction(tmp_path, np.ones((4, 4), np.uint8))
    (tmp_path / "l.gpkg").write_bytes(b"")
    from satseg_engine.core.errors import JobError

    with pytest.raises(JobError, match="class_field"):
        _evaluate(tmp_path, prediction=str(prediction), labels=str(tmp_path / "l.gpkg"))
