"""Band statistics on NumPy or CuPy: which module is chosen and why, and the numbers it gives.

No GPU and no CuPy here: CuPy's place is taken by small `cupy` packages this test writes on
sys.path — one that imports but finds no device (what CuPy does on a machine without a GPU),
one whose kernels fail (a missing NVRTC), and one whose "device" is the host (NumPy's functions
under CuPy's names), through which the statistics run the `xp` code path as they would on a GPU.
The statistics are checked against NumPy computed here on the valid pixels (np.mean, np.std,
np.percentile with inverted_cdf), never against the code under test.
"""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pytest

from satseg_engine.core.errors import SatsegError
from satseg_engine.data import array_backend
from satseg_engine.data.band_stats import PERCENTILES, SAMPLE_SIZE, BandStats

NO_DEVICE = """
    __version__ = "13.9.fake"
    class CUDARuntimeError(RuntimeError):
        pass
    class _Runtime:
        @staticmethod
        def getDeviceCount():
            raise CUDARuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
    class cuda:
        runtime = _Runtime
"""
HOST_DEVICE = """
    from numpy import *
    import numpy as _np
    __version__ = "13.9.fake"
    class _Runtime:
        @staticmethod
        def getDeviceCount():
            return 1
    class cuda:
        runtime = _Runtime
    def asnumpy(a):
        return _np.asarray(a)
"""
BROKEN_KERNELS = HOST_DEVICE + """
    def bincount(*args, **kwargs):
        raise RuntimeError("nvrtc: cannot load libnvrtc.so.13")
"""


@pytest.fixture
def cupy_stand_in(tmp_path, monkeypatch):
    """fake(source): a `cupy` package with this source is what `import cupy` finds."""
    monkeypatch.delenv(array_backend.ENV, raising=False)
    monkeypatch.delitem(sys.modules, "cupy", raising=False)
    array_backend.clear_cache()

    def install(source: str | None) -> None:
        if source is None:  # not installed: `import cupy` raises ImportError
            monkeypatch.setitem(sys.modules, "cupy", None)
            return
        package = tmp_path / "site" / "cupy"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(textwrap.dedent(source))
        monkeypatch.syspath_prepend(str(tmp_path / "site"))

    yield install
    sys.modules.pop("cupy", None)
    array_backend.clear_cache()


@pytest.mark.parametrize("cupy, env, wanted, name, reason", [
    (None, None, None, "numpy", "CuPy is not installed"),
    (NO_DEVICE, None, None, "numpy", "CuPy 13.9.fake sees no CUDA device (CUDARuntimeError"),
    (BROKEN_KERNELS, None, "auto", "numpy", "cannot run on the GPU (RuntimeError: nvrtc"),
    (HOST_DEVICE, None, None, "cupy", "CuPy 13.9.fake on 1 CUDA device(s)"),
    (HOST_DEVICE, "numpy", None, "numpy", "forced (SATSEG_ARRAYS=numpy)"),
    (HOST_DEVICE, "cupy", "numpy", "numpy", "forced (arrays=numpy)"),
    (HOST_DEVICE, "numpy", "cupy", "cupy", "on 1 CUDA device(s)"),
])
def test_selection_table(cupy_stand_in, monkeypatch, cupy, env, wanted, name, reason):
    cupy_stand_in(cupy)
    if env:
        monkeypatch.setenv(array_backend.ENV, env)
    backend = array_backend.select(wanted)
    assert backend.name == name and reason in backend.reason
    assert (backend.xp is np) == (name == "numpy")


def test_auto_keeps_small_blocks_on_numpy_and_a_forced_cupy_takes_all(cupy_stand_in):
    cupy_stand_in(HOST_DEVICE)
    auto, forced = array_backend.select("auto"), array_backend.select("cupy")
    assert auto.module(16_384) is np and auto.module(4096 * 4096) is sys.modules["cupy"]
    assert forced.module(1) is sys.modules["cupy"]
    assert array_backend.module_for(None, 4096 * 4096) is sys.modules["cupy"]
    assert array_backend.module_for("numpy", 4096 * 4096) is np


def test_small_blocks_under_auto_never_load_cupy(cupy_stand_in):
    cupy_stand_in(HOST_DEVICE)
    assert array_backend.module_for("auto", 128 * 128) is np
    assert "cupy" not in sys.modules  # an extraction worker stays light


@pytest.mark.parametrize("cupy", [None, NO_DEVICE])
def test_forcing_an_unusable_cupy_is_an_error_naming_the_fix(cupy_stand_in, monkeypatch, cupy):
    cupy_stand_in(cupy)
    monkeypatch.setenv(array_backend.ENV, "cupy")
    with pytest.raises(SatsegError) as error:
        array_backend.select()
    assert error.value.code == "cupy_unavailable"
    assert "cupy-cuda12x" in error.value.hint and "SATSEG_ARRAYS=numpy" in error.value.hint


def test_an_unknown_preference_names_the_valid_ones(cupy_stand_in, monkeypatch):
    monkeypatch.setenv(array_backend.ENV, "rocm")
    with pytest.raises(SatsegError) as error:
        array_backend.select()
    assert error.value.code == "bad_arrays" and "auto, numpy, cupy" in error.value.message


def band_blocks(dtype: str, nodata: float | None, rng: np.random.Generator) -> list[np.ndarray]:
    """Blocks of one band: values with nodata (and NaN for floats), then an all-nodata block."""
    if dtype == "float32":
        blocks = [rng.normal(0.12, 0.05, (60, 70)).astype(np.float32) for _ in range(3)]
        blocks[0][5:9] = np.nan
    else:
        info = np.iinfo(dtype)
        low, high = max(info.min, -3000), min(info.max, 9000)
        blocks = [rng.integers(low, high, (60, 70), endpoint=True).astype(dtype)
                  for _ in range(3)]
    blocks[1][:, :20] = nodata
    empty = np.full((8, 70), nodata, dtype=dtype)
    if dtype == "float32":
        empty[::2] = np.nan
    return [blocks[0], empty, blocks[1], blocks[2]]


def expected(blocks: list[np.ndarray], nodata: float) -> dict[str, float]:
    values = np.concatenate([b.ravel() for b in blocks])
    values = values[(values != nodata) & ~np.isnan(values.astype(np.float64))]
    out = {"mean": np.mean(values.astype(np.float64)), "std": np.std(values.astype(np.float64)),
           "min": float(values.min()), "max": float(values.max()),
           "valid_pixels": values.size}
    out.update({f"p{p}": float(np.percentile(values, p, method="inverted_cdf"))
                for p in PERCENTILES})
    return out


@pytest.mark.parametrize("dtype, nodata", [("uint8", 0), ("uint16", 65535), ("int16", -32768),
                                           ("float32", -9999.0)])
def test_statistics_equal_numpy_on_the_valid_pixels_on_either_module(cupy_stand_in, dtype,
                                                                     nodata):
    cupy_stand_in(HOST_DEVICE)
    blocks = band_blocks(dtype, nodata, np.random.default_rng(7))
    results = {}
    for arrays in ("numpy", "cupy"):
        stats = BandStats(dtype, nodata, arrays=arrays)
        for block in blocks:
            stats.add(block)
        results[arrays] = stats.result("B1")
    truth = expected(blocks, nodata)
    got = results["numpy"]
    assert got["valid_pixels"] == truth["valid_pixels"] <= 3 * 60 * 70 - 60 * 20
    assert got["mean"] == pytest.approx(truth["mean"], rel=1e-12)
    assert got["std"] == pytest.approx(truth["std"], rel=1e-12)
    for key in ("min", "max", "p1", "p2", "p98", "p99"):
        assert got[key] == truth[key], key
    assert results["cupy"] == got


def test_a_band_with_only_nodata_has_no_statistics():
    stats = BandStats("float32", -1.0, arrays="numpy")
    stats.add(np.full((4, 4), -1.0, dtype=np.float32))
    stats.add(np.full((4, 4), np.nan, dtype=np.float32))
    result = stats.result("B1")
    assert result["valid_pixels"] == 0
    assert all(result[k] is None for k in ("mean", "std", "min", "max", "p1", "p99"))


def test_a_large_float_band_samples_the_same_values_however_it_is_cut():
    rng = np.random.default_rng(3)
    band = rng.gamma(2.0, 0.1, (700, 600)).astype(np.float32)  # 420 000 > SAMPLE_SIZE values
    band[:50] = np.nan
    whole, strips = BandStats("float32", None, seed=5), BandStats("float32", None, seed=5)
    whole.add(band)
    for top in range(0, 700, 97):
        strips.add(band[top:top + 97])
    assert whole.sample.size == SAMPLE_SIZE
    assert np.array_equal(np.sort(whole.sample), np.sort(strips.sample))
    first, second = whole.result("B1"), strips.result("B1")
    assert {k: v for k, v in first.items() if k not in ("mean", "std")} == \
        {k: v for k, v in second.items() if k not in ("mean", "std")}
    values = band[~np.isnan(band)]
    assert first["mean"] == pytest.approx(values.astype(np.float64).mean(), rel=1e-12)
    for p in PERCENTILES:  # a sample's percentile: its rank within 5 standard errors of p
        rank = np.mean(values <= first[f"p{p}"])
        assert abs(rank - p / 100) < 5 * np.sqrt(p / 100 * (1 - p / 100) / SAMPLE_SIZE), p


@pytest.mark.parametrize(("arrays", "device"), [("cupy", "cuda"), ("numpy", "cpu")])
def test_info_stats_announces_the_device_it_computes_on(cupy_stand_in, tmp_path, arrays,
                                                       device):
    from raster_factory import run_verb, write_raster

    cupy_stand_in(HOST_DEVICE)
    data = np.arange(2 * 64 * 64, dtype=np.uint16).reshape(2, 64, 64) + 1
    raster = write_raster(tmp_path / "r.tif", data, nodata=0)
    summary, events = run_verb("info", dataset=raster, stats=True, arrays=arrays)
    started = next(e for e in events if e["type"] == "started")
    assert started["device"] == device
    assert summary["arrays"].startswith(arrays)
