"""geo.dates (dates from names, metadata, typed) and geo.align (any raster on the image grid)."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from raster_factory import ORIGIN, write_raster
from rasterio.transform import from_origin
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from satseg_engine.core.errors import SatsegError
from satseg_engine.geo import align, dates


@pytest.mark.parametrize(("text", "expected"), [
    ("S2A_MSIL2A_20240501T103021_N0510_R108_T32TQM_20240502T150000", "2024-05-01"),
    ("LC08_L2SP_196030_20230615_20230622_02_T1", "2023-06-15"),
    ("s1_2024-05-31", "2024-05-31"),
    ("s1_2024_05_31_vv", "2024-05-31"),
    ("2024-02-30_then_2024-03-01", "2024-03-01"),   # an impossible date is skipped
    ("tile_123456789", None),                       # 9 digits: no date inside a longer number
    ("old_19000101", None),                         # implausible year
    ("scene", None),
    ("x20240501", "2024-05-01"),
])
def test_parse_date_from_names(text, expected):
    assert dates.parse_date(text) == expected


@pytest.mark.parametrize(("tags", "expected"), [
    ({"TIFFTAG_DATETIME": "2024:05:01 12:00:00"}, "2024-05-01"),
    ({"acquisition_date": "2023-07-04T10:11:12Z"}, "2023-07-04"),
    ({"SENSING_TIME": "20220101T000000"}, "2022-01-01"),
    ({"NOTE": "2024-01-01"}, None),
    ({}, None),
])
def test_metadata_date(tags, expected):
    assert dates.metadata_date(tags) == expected


def test_raster_date_prefers_the_name_then_metadata(tmp_path):
    one = np.ones((1, 4, 4), np.uint8)
    named = write_raster(tmp_path / "s2_2024-06-01.tif", one,
                         tags={"ACQUISITION_DATE": "2020-01-01"})
    tagged = write_raster(tmp_path / "s2_a.tif", one, tags={"ACQUISITION_DATE": "2020-01-01"})
    bare = write_raster(tmp_path / "s2_b.tif", one)
    with rasterio.open(named) as a, rasterio.open(tagged) as b, rasterio.open(bare) as c:
        assert dates.raster_date(named, a) == "2024-06-01"
        assert dates.raster_date(tagged, b) == "2020-01-01"
        assert dates.raster_date(bare, c) is None


def test_check_order_and_day_of_year(tmp_path):
    assert dates.check_date(" 2024-05-01 ", "k") == "2024-05-01"
    with pytest.raises(SatsegError) as caught:
        dates.check_date("2024-13-01", "sources.s2.dates[0]")
    assert caught.value.code == "bad_date" and caught.value.key == "sources.s2.dates[0]"
    paths, when = dates.order_dates(["b", "a", "c"], ["2024-05-01", "2024-01-01", "2024-03-01"],
                                    "k")
    assert paths == ["a", "c", "b"] and when == ["2024-01-01", "2024-03-01", "2024-05-01"]
    with pytest.raises(SatsegError) as caught:
        dates.order_dates([tmp_path / "a.tif", tmp_path / "b.tif"], ["2024-01-01"] * 2, "s")
    assert caught.value.code == "duplicate_date" and "a.tif" in caught.value.message
    assert (dates.day_of_year("2024-12-31"), dates.day_of_year("2023-02-01"),
            dates.day_of_year(None)) == (366, 32, 0)


# -- geo.align -------------------------------------------------------------------------------

def other_crs_raster(tmp_path, name, pixel, make, dtype, **kwargs):
    """A raster in EPSG:32633 (the image is in 32632) around the image, pixel size `pixel`;
    `make(x, y)` gives its values at its own pixel centres."""
    left, bottom, right, top = transform_bounds("EPSG:32632", "EPSG:32633", ORIGIN[0],
                                                ORIGIN[1] - 640, ORIGIN[0] + 640, ORIGIN[1])
    transform = from_origin(left - 3 * pixel, top + 3 * pixel, pixel, pixel)
    width = int((right - left) / pixel) + 6
    height = int((top - bottom) / pixel) + 6
    cols, rows = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    x, y = transform * (cols, rows)
    return write_raster(tmp_path / name, make(x, y).astype(dtype), transform=transform,
                        crs="EPSG:32633", **kwargs), transform


def smooth(x, y):
    return np.sin(x / 500.0) + np.cos(y / 700.0)


def image_centres(shape=(64, 64)):
    """Map coordinates of the image's pixel centres, in the secondary's CRS."""
    cols, rows = np.meshgrid(np.arange(shape[1]) + 0.5, np.arange(shape[0]) + 0.5)
    x, y = from_origin(*ORIGIN, 10, 10) * (cols, rows)
    return Transformer.from_crs("EPSG:32632", "EPSG:32633", always_xy=True).transform(x, y)


def bilinear_bound(pixel):
    """Bilinear interpolation error of `smooth` on a `pixel` grid: h²/8 · (max|f_xx|+max|f_yy|),
    plus the warper's 0.001-pixel coordinate tolerance times the largest gradient, plus
    float32 rounding."""
    return pixel ** 2 / 8 * (1 / 500 ** 2 + 1 / 700 ** 2) + 0.001 * pixel * (1 / 500 + 1 / 700) \
        + 1e-6


def test_aligned_reader_bilinear_in_another_crs(tmp_path):
    image = write_raster(tmp_path / "image.tif", np.ones((1, 64, 64), np.uint16))
    source, _ = other_crs_raster(tmp_path, "s.tif", 20.0, smooth, np.float32, nodata=-9999)
    xs, ys = image_centres()
    expected = smooth(xs, ys)
    with rasterio.open(image) as target, align.AlignedReader(source, target) as reader:
        assert (reader.resampling, reader.aligned, reader.covers) == ("bilinear", False, True)
        data, valid = reader.read(Window(8, 16, 40, 32))
        with align.AlignedReader(source, target, resampling="nearest") as other:
            nearest, _ = other.read(Window(8, 16, 40, 32))
    assert data.shape == (1, 32, 40) and valid.all()
    error = np.abs(data[0] - expected[16:48, 8:48])
    assert error.max() <= bilinear_bound(20.0), error.max()
    # the bound discriminates: nearest neighbour (or a pixel's shift) is far outside it
    assert np.abs(nearest[0] - expected[16:48, 8:48]).max() > 10 * bilinear_bound(20.0)


def test_aligned_reader_nearest_keeps_class_edges(tmp_path):
    image = write_raster(tmp_path / "image.tif", np.ones((1, 64, 64), np.uint16))
    rng = np.random.default_rng(3)
    table = {}

    def classes(x, y):
        out = rng.integers(1, 6, x.shape).astype(np.uint8)
        table["values"] = out
        return out

    source, transform = other_crs_raster(
        tmp_path, "classes.tif", 30.0, classes, np.uint8,
        colormap={v: (40 * v, 0, 0, 255) for v in range(1, 6)})
    with rasterio.open(image) as target, align.AlignedReader(source, target) as reader:
        assert reader.resampling == "nearest"          # auto: a one-band class raster
        data, valid = reader.read(Window(0, 0, 64, 64))
    xs, ys = image_centres()
    cols, rows = ~transform * (xs, ys)
    # centres within 1 % of a pixel of a source pixel edge could go either way: leave them out
    clear = (np.abs(cols - np.round(cols)) > 0.01) & (np.abs(rows - np.round(rows)) > 0.01)
    expected = table["values"][np.floor(rows).astype(int), np.floor(cols).astype(int)]
    assert clear.mean() > 0.9 and valid.all()
    assert (data[0][clear] == expected[clear]).all()
    assert len(np.unique(expected)) == 5


@pytest.mark.parametrize("nodata", [0, None])
def test_aligned_reader_uncovered_pixels_are_invalid(tmp_path, nodata):
    image = write_raster(tmp_path / "image.tif", np.ones((1, 64, 64), np.uint16))
    # 15 m pixels, covering only the image's columns 0..29 (300 m) and rows 0..59
    half = write_raster(tmp_path / "half.tif", np.full((2, 40, 20), 7, np.uint16),
                        transform=from_origin(*ORIGIN, 15, 15), nodata=nodata)
    with rasterio.open(image) as target, align.AlignedReader(half, target) as reader:
        assert reader.resampling == "bilinear" and not reader.aligned
        data, valid = reader.read(Window(0, 0, 64, 64))
    assert valid[:60, :30].all() and not valid[:, 30:].any() and not valid[60:].any()
    assert (data[:, :60, :30] == 7).all() and (data[:, ~valid] == 0).all()
    assert align.fill_value("uint16", nodata) == 0.0


def test_resampling_names_and_footprints(tmp_path):
    far = write_raster(tmp_path / "far.tif", np.ones((1, 8, 8), np.float32),
                       transform=from_origin(ORIGIN[0] + 10_000, ORIGIN[1], 10, 10))
    image = write_raster(tmp_path / "image.tif", np.ones((1, 64, 64), np.uint16))
    with rasterio.open(image) as target, rasterio.open(far) as src:
        assert not align.overlaps(src, target)
        assert align.overlaps_bounds(src, target.crs, (ORIGIN[0] + 10_010, 0, 1e7, 1e7))
        assert align.resolve_resampling("cubic", src) == "cubic"
        with pytest.raises(SatsegError):
            align.resolve_resampling("lanczos", src)
    assert np.isnan(align.fill_value("float32", None)) and align.fill_value("int16", -1) == -1
