"""Fast prediction: large windows agree with the training patch at half overlap on a really
trained model, batches are full across rows, backend choices are logged, thread errors end the
run cleanly."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
import rasterio
import torch
from prediction_helpers import (
    CLASSES,
    ConstantLogits,
    auto_cpu_precision,
    header,
    read,
    run_prediction,
    write_raster,
)
from torch.nn import functional

from satseg_engine.models import registry
from satseg_engine.prediction.sizing import size_multiple

#: the stated tolerance of the default (large windows) against the training patch at half
#: overlap: class maps agree on at least AGREEMENT of the pixels and the probabilities differ by
#: at most MEAN_ABS_DIFF on average (measured: see test_large_windows_agree_with_...).
AGREEMENT = 0.99
MEAN_ABS_DIFF = 0.01
PATCH = 32
MEAN, STD = 1000.0, 300.0


def _scene(seed: int, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Blobs of 3 classes, each brighter in its own band, under noise as strong as the signal
    (a model must look at the neighbourhood to classify)."""
    gen = torch.Generator().manual_seed(seed)
    fields = functional.avg_pool2d(torch.randn(1, 3, height + 24, width + 24, generator=gen), 25,
                          stride=1)[0]
    labels = fields.argmax(0).numpy()
    noise = torch.randn(3, height, width, generator=gen).numpy()
    data = MEAN + STD * (np.eye(3)[labels].transpose(2, 0, 1) - 0.33 + noise)
    return data.astype(np.float32), labels


@pytest.fixture(scope="module")
def trained():
    """A custom U-Net really trained (on the CPU, a few seconds) on 32 px patches."""
    torch.manual_seed(0)
    kwargs = {"depth": 2, "base_width": 8, "dropout": 0.0}
    model = registry.build_model("custom_unet", None, 3, 3, kwargs)
    data, labels = _scene(1, 256, 256)
    x = torch.from_numpy((data - MEAN) / STD)
    y = torch.from_numpy(labels).long()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)
    model.train()
    for _ in range(100):
        tops = rng.integers(0, 256 - PATCH, (16, 2))
        xb = torch.stack([x[:, r:r + PATCH, c:c + PATCH] for r, c in tops])
        yb = torch.stack([y[r:r + PATCH, c:c + PATCH] for r, c in tops])
        optimiser.zero_grad()
        functional.cross_entropy(model(xb), yb).backward()
        optimiser.step()
    model.eval()
    head = header(patch=PATCH, method="standardize") | {
        "architecture": "custom_unet", "encoder": None, "model_kwargs": kwargs}
    head["normalization"]["bands"] = [{"name": f"B{i + 1}", "mean": MEAN, "std": STD}
                                      for i in range(3)]
    return model, head


def _predict(tmp_path, name, raster, model, head, **job):
    folder = tmp_path / name
    folder.mkdir()
    summary, events = run_prediction(folder, raster, model, head, probabilities=True, **job)
    return summary, events, read(summary["outputs"]["probabilities"])


def test_large_windows_agree_with_the_training_patch_at_half_overlap(tmp_path, trained):
    """The default (large windows, `auto` precision: bfloat16 on a CPU with native bfloat16)
    against the old way at full precision: training patches at half overlap, float32."""
    model, head = trained
    data, labels = _scene(2, 420, 380)           # an area the model never saw
    raster = write_raster(tmp_path / "scene.tif", data)
    old, _, p_old = _predict(tmp_path, "old", raster, model, head, window="patch",
                             overlap=0.5, precision="float32")
    new, events, p_new = _predict(tmp_path, "new", raster, model, head, batch_size=None,
                                  memory_mb=16)   # small budget: several windows per axis
    assert old["prediction_window"] == PATCH
    assert PATCH < new["prediction_window"] < 380 and new["windows"] >= 4
    accuracy = (p_old.argmax(0) == labels).mean()
    assert accuracy > 0.85                       # the model really learned the scene
    agreement = (p_new.argmax(0) == p_old.argmax(0)).mean()
    mean_abs = np.abs(p_new - p_old).mean()
    assert agreement >= AGREEMENT and mean_abs <= MEAN_ABS_DIFF, (agreement, mean_abs)
    work_old = old["windows"] * PATCH ** 2
    work_new = new["windows"] * new["prediction_window"] ** 2
    assert work_new < work_old / 2               # far fewer pixels computed
    logs = [e["message"] for e in events if e["type"] == "log"]
    assert any(m.startswith(f"backend: cpu, {auto_cpu_precision()}") for m in logs)
    assert any(m.startswith("windows: large windows") for m in logs)


def test_bfloat16_on_the_cpu_stays_within_the_tolerance(tmp_path, trained):
    model, head = trained
    data, _ = _scene(3, 96, 100)
    raster = write_raster(tmp_path / "scene.tif", data)
    _, events32, p32 = _predict(tmp_path, "f32", raster, model, head, precision="float32")
    assert any(e.get("message", "").startswith("backend: cpu, float32") for e in events32)
    _, events, p16 = _predict(tmp_path, "bf16", raster, model, head, precision="bfloat16")
    assert any("bfloat16 autocast" in e.get("message", "") for e in events)
    assert (p16.argmax(0) == p32.argmax(0)).mean() >= AGREEMENT
    assert np.abs(p16 - p32).mean() <= MEAN_ABS_DIFF
    assert not np.array_equal(p16, p32)          # bfloat16 really ran


@pytest.mark.parametrize(("architecture", "encoder", "kwargs", "multiple"), [
    ("custom_unet", None, {"depth": 3}, 8),
    ("Unet", "resnet18", {}, 32),
    ("FPN", "resnet34", {"encoder_depth": 4}, 16),
    ("DeepLabV3", "resnet18", {}, None),         # image-level pooling: context = the window
    ("PSPNet", "resnet18", {}, None),
    ("Segformer", "mit_b0", {}, None),           # attention over the whole window
    ("Unet", "efficientnet-b0", {}, None),       # squeeze-excitation pools globally
])
def test_which_models_take_large_windows(architecture, encoder, kwargs, multiple):
    assert architecture in registry.ARCHITECTURES
    head = {"architecture": architecture, "encoder": encoder, "model_kwargs": kwargs}
    assert size_multiple(head)[0] == multiple
    assert size_multiple({**head, "multisource": {"fusion": "early"}})[0] is None


def test_a_model_with_global_context_keeps_the_training_patch(tmp_path):
    data = np.random.default_rng(0).integers(1, 3000, (3, 150, 140)).astype("uint16")
    raster = write_raster(tmp_path / "s.tif", data)
    head = header(patch=PATCH) | {"architecture": "DeepLabV3", "encoder": "resnet18"}
    summary, events = run_prediction(tmp_path, raster, ConstantLogits([0.1, 0.2, 0.3]), head)
    assert summary["prediction_window"] == PATCH and summary["window_stride"] == PATCH // 2
    assert any("pools or attends globally" not in e.get("message", "") and
               e.get("message", "").startswith("windows: training patch") for e in events)


class RecordingLogits(ConstantLogits):
    def __init__(self):
        super().__init__([0.3, 1.7, -0.4])
        self.sizes: list[int] = []

    def forward(self, x):
        self.sizes.append(x.shape[0])
        return super().forward(x)


def test_batches_are_filled_across_rows_and_panels(tmp_path):
    data = np.random.default_rng(0).integers(1, 3000, (3, 100, 300)).astype("uint16")
    raster = write_raster(tmp_path / "s.tif", data)
    model = RecordingLogits()
    summary, _ = run_prediction(tmp_path, raster, model, header(patch=PATCH), window="patch",
                                overlap=0.0, batch_size=7, panel_width=256)
    windows = summary["windows"]
    assert windows > 7 * 5
    assert model.sizes == [7] * (windows // 7) + ([windows % 7] if windows % 7 else [])


def test_panels_do_not_change_large_window_results(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 5, padding=2), torch.nn.ReLU(),
                                torch.nn.Conv2d(8, 3, 5, padding=2))
    data = np.random.default_rng(1).uniform(0, 1, (3, 150, 700)).astype("float32")
    raster = write_raster(tmp_path / "wide.tif", data)
    results = [_predict(tmp_path, f"p{width}", raster, model, header(patch=PATCH), window=128,
                        margin=16, panel_width=width)[2] for width in (256, 4096)]
    np.testing.assert_array_equal(results[0], results[1])


# -- errors in the threads ---------------------------------------------------------------------

def _satseg_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("satseg-")]


class FailingStrips:
    """A real RasterSource whose reading fails at the n-th window (a raster that breaks)."""

    def __init__(self, source, after):
        self.source, self.left = source, after

    def __getattr__(self, name):
        return getattr(self.source, name)

    def view(self, start, stop):
        self.left -= 1
        if self.left < 0:
            raise rasterio.errors.RasterioIOError("read failed: TIFFReadEncodedTile() failed")
        return self.source.view(start, stop)


def _pipeline(tmp_path, source_wrapper=None, closed=False):
    from rasterio.windows import Window

    from satseg_engine.core.events import Events
    from satseg_engine.prediction.outputs import open_outputs
    from satseg_engine.prediction.pipeline import PredictOptions, predict_raster
    from satseg_engine.prediction.source import RasterSource

    data = np.random.default_rng(0).integers(1, 3000, (3, 300, 100)).astype("uint16")
    raster = write_raster(tmp_path / "s.tif", data)
    source = RasterSource(raster, [1, 2, 3], Window(0, 0, 100, 300))
    paths = {"classes": tmp_path / "c.tif", "confidence": tmp_path / "f.tif"}
    with rasterio.open(raster) as ref:
        datasets = open_outputs(paths, ref, 100, 300, ref.transform, CLASSES, {})
    if closed:
        for dataset in datasets.values():
            dataset.close()                          # writing fails in the writer thread
    try:
        predict_raster(ConstantLogits([0.1, 0.2, 0.3]), header(patch=PATCH),
                       source_wrapper(source) if source_wrapper else source, datasets, CLASSES,
                       PredictOptions(batch_size=3), torch.device("cpu"),
                       Events(io.StringIO()))
    finally:
        for dataset in datasets.values():
            dataset.close()
        source.close()


def test_a_reading_error_ends_the_run_with_that_error_and_no_threads_left(tmp_path):
    with pytest.raises(rasterio.errors.RasterioIOError, match="TIFFReadEncodedTile"):
        _pipeline(tmp_path, lambda source: FailingStrips(source, after=30))
    assert _satseg_threads() == []


def test_a_writing_error_ends_the_run_with_that_error_and_no_threads_left(tmp_path):
    with pytest.raises(ValueError, match="closed"):
        _pipeline(tmp_path, closed=True)
    assert _satseg_threads() == []


# -- backend switches ---------------------------------------------------------------------------

def test_the_cpu_backend_uses_every_core_channels_last_and_native_precision_only():
    from satseg_engine.prediction.backend import choose_backend, cpu_bf16_native, usable_cores

    before = torch.get_num_threads()
    try:
        auto = choose_backend(torch.device("cpu"))
        assert auto.threads == usable_cores() == torch.get_num_threads()
        assert auto.channels_last
        assert auto.dtype == (torch.bfloat16 if cpu_bf16_native() else None)
        forced = choose_backend(torch.device("cpu"), precision="float16", channels_last=False,
                                threads=1)
        assert forced.dtype is None and torch.get_num_threads() == 1   # float16: CUDA only
        assert forced.describe() == ("cpu, float32, contiguous, 1 threads (float16 needs "
                                     "CUDA: float32 on the CPU)")
    finally:
        torch.set_num_threads(before)


def test_an_explicit_batch_of_large_windows_takes_no_more_pixels_than_its_patches(tmp_path):
    """The plugin sends batch_size 8 (training patches): large windows must not take 8 × their
    area of activation memory."""
    data = np.random.default_rng(0).integers(1, 3000, (3, 300, 300)).astype("uint16")
    raster = write_raster(tmp_path / "s.tif", data)
    head = header(patch=PATCH) | {"architecture": "custom_unet", "model_kwargs": {"depth": 2}}
    model = RecordingLogits()
    summary, _ = run_prediction(tmp_path, raster, model, head, batch_size=8, window=64,
                                margin=8)
    assert summary["prediction_window"] == 64
    assert summary["batch_size"] == 2                 # 8 × 32² px = 2 × 64² px
    assert max(model.sizes) == 2


@pytest.mark.parametrize(("window", "margin", "message", "hint"), [
    (102, 8, "multiples of 4 px, not 102", "--window 100"),
    (80, 8, "multiples of 32 px, not 80", "--window 64"),
    (32, 16, "nothing inside its 16 px margins", "above 32 px"),
])
def test_a_window_the_model_cannot_take_is_refused(tmp_path, window, margin, message, hint):
    from satseg_engine.core.errors import SatsegError

    data = np.random.default_rng(0).integers(1, 3000, (3, 100, 100)).astype("uint16")
    raster = write_raster(tmp_path / "s.tif", data)
    depth = 5 if window == 80 else 2
    head = header(patch=PATCH) | {"architecture": "custom_unet", "model_kwargs": {"depth": depth}}
    with pytest.raises(SatsegError) as info:
        run_prediction(tmp_path, raster, RecordingLogits(), head, window=window, margin=margin)
    assert info.value.code == "bad_window" and info.value.key == "window"
    assert message in info.value.message and hint in info.value.hint
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# -- batch norms folded into their convolutions (fold.py) ---------------------------------------

def _with_running_stats(model: torch.nn.Module) -> torch.nn.Module:
    """Batch norms with statistics far from identity, as after training: folding must matter."""
    gen = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            n = module.num_features
            module.running_mean.copy_(torch.randn(n, generator=gen))
            module.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
            module.weight.data.copy_(torch.rand(n, generator=gen) + 0.5)
            module.bias.data.copy_(torch.randn(n, generator=gen))
    return model.eval()


def test_folding_keeps_the_outputs_and_removes_every_batch_norm_of_a_unet():
    from satseg_engine.prediction.fold import batch_norm_count, fold_batch_norms

    model = _with_running_stats(registry.build_model("Unet", "resnet18", 4, 3, {}))
    before = batch_norm_count(model)
    x = torch.randn(1, 4, 64, 64)
    folded, count, note = fold_batch_norms(model, x)
    assert before > 20 and count == before and note == ""
    assert batch_norm_count(folded) == 0 and batch_norm_count(model) == before  # a copy
    with torch.inference_mode():
        wide = torch.randn(2, 4, 96, 160)           # another size than the probe's
        got, expected = folded(wide), model(wide)
    scale = float(expected.abs().max())
    assert scale > 1 and float((got - expected).abs().max()) <= 1e-5 * scale  # float32 rounding


class _DataDependent(torch.nn.Module):
    """Branches on the input's values: torch.fx cannot trace it."""

    def __init__(self):
        super().__init__()
        self.conv, self.norm = torch.nn.Conv2d(3, 3, 3, padding=1), torch.nn.BatchNorm2d(3)

    def forward(self, x):
        if x.mean() > 100:
            x = x / 100
        return self.norm(self.conv(x))


def test_a_network_fx_cannot_trace_is_predicted_unfolded(tmp_path):
    model = _with_running_stats(_DataDependent())
    data = np.random.default_rng(0).integers(1, 3000, (3, 70, 90)).astype("uint16")
    raster = write_raster(tmp_path / "s.tif", data)
    head = header(patch=PATCH)
    summary, events = run_prediction(tmp_path, raster, model, head, window="patch")
    logs = [e["message"] for e in events if e["type"] == "log"]
    assert "batch norm: 0 folded into their convolutions (not traceable (TraceError))" in logs
    assert summary["windows"] > 0 and read(summary["outputs"]["classes"]).max() > 0


def test_prediction_folds_by_default_and_gives_the_unfolded_result(tmp_path):
    kwargs = {"depth": 2, "base_width": 8, "dropout": 0.0}
    model = _with_running_stats(registry.build_model("custom_unet", None, 3, 3, kwargs))
    head = header(patch=PATCH) | {"architecture": "custom_unet", "encoder": None,
                                  "model_kwargs": kwargs}
    count = sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    data, _ = _scene(4, 90, 110)
    raster = write_raster(tmp_path / "scene.tif", data)
    _, events, folded = _predict(tmp_path, "folded", raster, model, head, precision="float32")
    _, plain_events, plain = _predict(tmp_path, "plain", raster, model, head,
                                      precision="float32", fold_batch_norm=False)
    logs = [e["message"] for e in events if e["type"] == "log"]
    assert f"batch norm: {count} folded into their convolutions" in logs and count >= 4
    assert not any(e.get("message", "").startswith("batch norm") for e in plain_events)
    np.testing.assert_allclose(folded, plain, atol=1e-5)
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules()) == count


def test_a_model_predicted_again_is_folded_once():
    from satseg_engine.prediction.fold import fold_batch_norms

    model = _with_running_stats(registry.build_model("custom_unet", None, 3, 3, {"depth": 2}))
    x = torch.randn(1, 3, 32, 32)
    first, count, _ = fold_batch_norms(model, x)
    again, _, _ = fold_batch_norms(model, x)
    assert count > 0 and again is first          # the second scene reuses the first's fold
    other = _with_running_stats(registry.build_model("custom_unet", None, 3, 3, {"depth": 2}))
    assert fold_batch_norms(other, x)[0] is not first


@pytest.mark.parametrize("setting, huge_pages", [(None, True), ("0", False)])
def test_large_tensors_go_on_huge_pages_unless_the_user_says_not(setting, huge_pages):
    # satseg_engine turns on torch's THP_MEM_ALLOC_ENABLE: large CPU tensors are page-aligned
    # and advised onto huge pages (a third of the page faults of a 5 000² predict); a value the
    # user set is kept. A fresh interpreter: torch reads the switch at its first large tensor.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "THP_MEM_ALLOC_ENABLE"}
    if setting is not None:
        env["THP_MEM_ALLOC_ENABLE"] = setting
    code = ("import satseg_engine, torch\n"
            "tensors = [torch.empty(1 << 21) for _ in range(6)]\n"
            "print(sum(t.data_ptr() % 4096 == 0 for t in tensors))")
    aligned = int(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                 text=True, check=True, timeout=120).stdout)
    assert (aligned == 6) == huge_pages, f"{aligned} of 6 tensors page-aligned"
