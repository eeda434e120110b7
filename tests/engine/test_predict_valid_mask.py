"""The prediction's valid mask, from a real GeoTIFF with nodata, reaches both normalisations.

`normalize_numpy` runs in the reader thread on the CPU, `normalize_torch` on the GPU when there
is one; both take the raster's per-pixel validity (GDAL's mask: a pixel is nodata when every band
is) and must agree with training's normalisation on valid pixels and give 0 on the others.
"""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
import torch
from prediction_helpers import write_raster

from satseg_engine.data import normalization
from satseg_engine.prediction.normalize import normalize_numpy, normalize_torch

STATS = [{"mean": 1000.0 + 10 * i, "std": 250.0, "min": 100.0, "max": 1900.0, "p1": 300.0,
          "p2": 350.0, "p98": 1600.0, "p99": 1700.0} for i in range(3)]


@pytest.fixture(scope="module")
def raster_with_holes(tmp_path_factory):
    data = np.random.default_rng(7).integers(200, 2000, (3, 24, 20)).astype("uint16")
    data[:, 3:9, 4:12] = 0      # every band nodata: an invalid pixel
    data[1, 15:18, 2:5] = 0     # one band nodata: the pixel stays valid, that band becomes 0
    path = write_raster(tmp_path_factory.mktemp("holes") / "holes.tif", data, nodata=0)
    with rasterio.open(path) as src:
        raw = src.read().astype(np.float32)
        valid = src.dataset_mask() > 0
    return raw, valid


def test_the_mask_comes_from_the_raster(raster_with_holes):
    _, valid = raster_with_holes
    expected = np.ones((24, 20), bool)
    expected[3:9, 4:12] = False
    assert np.array_equal(valid, expected)


@pytest.mark.parametrize("method", sorted(normalization.METHODS))
def test_cpu_and_torch_paths_agree_on_a_raster_with_nodata(raster_with_holes, method):
    raw, valid = raster_with_holes
    spec = {"method": method, "bands": STATS, "nodata": 0}
    cpu = normalize_numpy(raw.copy(), valid, spec)
    torch_path = normalize_torch(torch.from_numpy(raw.copy()), torch.from_numpy(valid),
                                 spec).numpy()
    np.testing.assert_allclose(torch_path, cpu, rtol=1e-6, atol=1e-6)
    assert np.all(cpu[:, ~valid] == 0.0) and np.all(torch_path[:, ~valid] == 0.0)
    assert np.all(cpu[1, 15:18, 2:5] == 0.0)  # a band's nodata inside a valid pixel
    # elsewhere: exactly training's normalisation
    training = normalization.normalize(raw.copy(), spec)
    inside = valid.copy()
    inside[15:18, 2:5] = False
    np.testing.assert_allclose(cpu[:, inside], training[:, inside], rtol=1e-6, atol=1e-6)
