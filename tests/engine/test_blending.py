"""Blending: smooth weights, and a blended prediction that reproduces what the model says."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from prediction_helpers import (
    CLASSES,
    ConstantLogits,
    CopyBand,
    header,
    read,
    run_prediction,
    write_raster,
)

from satseg_engine.prediction.blending import hann_1d, window_weights


@pytest.mark.parametrize("size", [1, 2, 7, 32, 256])
def test_hann_weights_are_positive_symmetric_and_peak_in_the_middle(size):
    line = hann_1d(size, floor=0.02)
    assert np.all(line >= 0.02) and np.all(line <= 1.0)
    np.testing.assert_allclose(line, line[::-1])
    assert line.argmax() in (size // 2, (size - 1) // 2)
    weights = window_weights(size)
    assert weights.shape == (size, size) and weights.dtype == np.float32


def test_unknown_profile_lists_the_valid_ones():
    with pytest.raises(ValueError, match="hann, uniform"):
        window_weights(8, "cosine")


CASES = [  # height, width, patch, overlap
    (20, 13, 32, 0.5),     # smaller than one patch
    (70, 45, 32, 0.0),     # no overlap: windows only touch
    (70, 45, 32, 0.5),
    (300, 90, 32, 0.75),   # several tile rows of output, heavy overlap
    (33, 97, 16, 0.9),
]


@pytest.mark.parametrize(("height", "width", "patch", "overlap"), CASES)
def test_constant_model_gives_the_constant_everywhere(tmp_path, height, width, patch, overlap):
    logits = [0.3, 1.7, -0.4]
    expected = torch.softmax(torch.tensor(logits), 0).numpy()
    data = np.random.default_rng(1).integers(1, 5000, (3, height, width)).astype(np.uint16)
    raster = write_raster(tmp_path / "scene.tif", data)
    summary, _ = run_prediction(tmp_path, raster, ConstantLogits(logits),
                                header(patch=patch), overlap=overlap, probabilities=True)
    probabilities = read(summary["outputs"]["probabilities"])
    assert probabilities.shape == (3, height, width)
    for band, value in zip(probabilities, expected, strict=True):  # corners and edges included
        np.testing.assert_allclose(band, value, rtol=0, atol=1e-6)  # float32 rounding only
    confidence = read(summary["outputs"]["confidence"])
    np.testing.assert_allclose(confidence, expected.max(), atol=1e-6)
    assert np.all(read(summary["outputs"]["classes"]) == CLASSES[1]["value"])


@pytest.mark.parametrize(("height", "width", "patch", "overlap"), CASES)
@pytest.mark.parametrize("tta", [False, True])
def test_copy_model_gives_back_the_band(tmp_path, height, width, patch, overlap, tta):
    """Every window reports sigmoid(band 2) for each pixel; blending must return exactly that,
    including in the reflected border windows (and with flip test-time augmentation)."""
    rng = np.random.default_rng(2)
    data = rng.normal(0, 2, (2, height, width)).astype(np.float32)
    raster = write_raster(tmp_path / "scene.tif", data)
    binary = [{"value": 0, "name": "other", "colour": "#000000"},
              {"value": 1, "name": "target", "colour": "#ffffff"}]
    summary, _ = run_prediction(tmp_path, raster, CopyBand(band=1),
                                header(bands=2, classes=binary, patch=patch, task="binary"),
                                overlap=overlap, probabilities=True, tta=tta)
    positive = 1.0 / (1.0 + np.exp(-data[1].astype(np.float64)))
    probabilities = read(summary["outputs"]["probabilities"])
    np.testing.assert_allclose(probabilities[1], positive, atol=1e-6)
    np.testing.assert_allclose(probabilities[0], 1 - positive, atol=1e-6)
    classes = read(summary["outputs"]["classes"])[0]
    decided = np.abs(positive - 0.5) > 1e-5
    assert np.array_equal(classes[decided], (positive >= 0.5)[decided].astype(np.uint8))


@pytest.mark.parametrize("taper", [8, 64])
def test_tukey_tapers_of_neighbouring_windows_sum_to_a_constant(taper):
    """Windows overlapping by `taper` px: in the overlap one window fades out as the other
    fades in, so no pixel is darkened or favoured; inside, the weight is 1."""
    from satseg_engine.prediction.blending import tukey_1d

    size = 256
    line = tukey_1d(size, floor=0.02, taper=taper)
    assert np.all(line[taper:size - taper] == 1.0) and np.all(line[:taper] < 1.0)
    overlap = line[size - taper:] + line[:taper]      # right rim of one, left rim of the next
    np.testing.assert_allclose(overlap, 1.02, atol=1e-12)


LARGE = [  # height, width, window, margin
    (70, 45, 64, 8),
    (300, 190, 96, 16),    # several rows and columns of windows, output tile rows
    (20, 13, 64, 8),       # smaller than one window
]


@pytest.mark.parametrize(("height", "width", "window", "margin"), LARGE)
def test_large_windows_give_back_a_per_pixel_model_exactly(tmp_path, height, width, window,
                                                           margin):
    rng = np.random.default_rng(5)
    data = rng.normal(0, 2, (2, height, width)).astype(np.float32)
    raster = write_raster(tmp_path / "scene.tif", data)
    binary = [{"value": 0, "name": "other", "colour": "#000000"},
              {"value": 1, "name": "target", "colour": "#ffffff"}]
    summary, _ = run_prediction(tmp_path, raster, CopyBand(band=1),
                                header(bands=2, classes=binary, patch=32, task="binary"),
                                window=window, margin=margin, probabilities=True)
    assert summary["prediction_window"] == window
    positive = 1.0 / (1.0 + np.exp(-data[1].astype(np.float64)))
    np.testing.assert_allclose(read(summary["outputs"]["probabilities"])[1], positive,
                               atol=1e-6)
