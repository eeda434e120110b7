"""Training on several sources and dates: per-source normalisation, aligned augmentation,
multi-source batches, job checks (tiny datasets; training runs: test_train_sources_runs.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from dataset_factory import make_dataset, make_multisource_dataset

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import JobError, SatsegError
from satseg_engine.core.events import Events
from satseg_engine.data.augment import AugmentParams, augment_sources
from satseg_engine.data.patch_data import MultiSourceDataset, label_lookup, list_items
from satseg_engine.data.sources import dataset_sources
from satseg_engine.training.loop import StepContext, to_device

DOY = {"2023-04-10": 100, "2023-07-15": 196}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def multi(tmp_path_factory) -> Path:
    return make_multisource_dataset(tmp_path_factory.mktemp("ms") / "patches",
                                    counts={"train": 6, "validation": 2})


def _dataset(root: Path, names: tuple[str, ...], method: str, augment=None
             ) -> MultiSourceDataset:
    info = json.loads((root / "dataset.json").read_text())
    sources = [s for s in dataset_sources(info) if s.name in names]
    norms = {s.name: s.normalization(method) for s in sources}
    return MultiSourceDataset(list_items(root, "train"), sources, norms,
                              label_lookup(info["classes"], 255), 255, augment, seed=1)


def _expected(root: Path, patch_id: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Standardised patch and presence computed from the GeoTIFF and dataset.json alone."""
    entry = json.loads((root / "dataset.json").read_text())["sources"][name]
    with rasterio.open(root / "Patch" / "train" / name / f"{patch_id}.tif") as src:
        raw = src.read().astype(np.float64)
    bands = len(entry["band_names"])
    raw = raw.reshape(-1, bands, *raw.shape[1:])          # (slots, C, H, W)
    invalid = ~np.isfinite(raw)
    if entry["nodata"] is not None:
        invalid |= raw == entry["nodata"]
    mean = np.array([b["mean"] for b in entry["statistics"]["bands"]])[:, None, None]
    std = np.array([b["std"] for b in entry["statistics"]["bands"]])[:, None, None]
    out = np.where(invalid, 0.0, (np.nan_to_num(raw) - mean) / std)
    pixel_valid = ~invalid.all(axis=1)                     # (slots, H, W)
    dates = entry["dates"] or [None]
    present = np.array([(d is not None or not entry["dates"]) and
                        1 - v.mean() <= entry["max_nodata_frac"] and v.any()
                        for d, v in zip(dates, pixel_valid, strict=True)])
    out[~present] = 0.0
    return (out if entry["dates"] else out[0]), present


def test_each_source_is_normalised_with_its_own_statistics(multi) -> None:
    dataset = _dataset(multi, ("s2", "s1"), "standardize")
    seen_masked = seen_present = False
    for index, item in enumerate(dataset.items):
        inputs, mask = dataset[index]
        assert set(inputs["data"]) == {"s2", "s1"} and set(inputs["present"]) == {"s2"}
        assert inputs["data"]["s2"].shape == (3, 2, 32, 32), "(T, C, H, W)"
        assert inputs["data"]["s1"].shape == (2, 32, 32) and mask.shape == (32, 32)
        for name in ("s2", "s1"):
            expected, present = _expected(multi, item.id, name)
            np.testing.assert_allclose(inputs["data"][name].numpy(), expected, rtol=1e-4,
                                       atol=1e-4)
        _, present = _expected(multi, item.id, "s2")
        assert inputs["present"]["s2"].dtype == torch.bool
        assert inputs["present"]["s2"].tolist() == present.tolist()
        assert present[2] == False  # noqa: E712 - the padding slot
        seen_masked |= not present[1]
        seen_present |= bool(present[1])
        assert inputs["doy"]["s2"].tolist() == [100.0, 196.0, 0.0]
    assert seen_masked and seen_present, "the clouded date is masked in some patches only"


def test_preloaded_sources_give_the_same_samples(multi) -> None:
    params = AugmentParams(scale=0.2, shift=0.2, brightness=0.1, noise=0.05, probability=1.0)
    disk = _dataset(multi, ("images", "s2", "s1"), "percentile_2_98", params)
    cached = _dataset(multi, ("images", "s2", "s1"), "percentile_2_98", params)
    assert cached.preload(2**20) > 0 and cached._raw is not None
    assert cached.preload(1000) == 0, "over budget: not cached"
    for index in range(len(disk)):
        (a, mask_a), (b, mask_b) = cached[index], disk[index]
        assert torch.equal(mask_a, mask_b)
        for part in ("data", "present", "doy"):
            for name in a[part]:
                assert torch.equal(a[part][name], b[part][name]), (part, name)


def test_augmentation_keeps_sources_aligned_and_absent_slots_zero() -> None:
    rng = np.random.default_rng(0)
    pattern = rng.normal(size=(16, 16)).astype(np.float32)
    mask = (pattern > 0).astype(np.uint8)
    series = np.stack([np.stack([pattern, pattern * 2])] * 3)   # (T=3, C=2, H, W)
    series[1] = 0.0                                            # an absent date
    present = np.array([True, False, True])
    single = np.stack([pattern, -pattern, pattern])            # (3, H, W)
    geometric = AugmentParams(scale=0.2, shift=0.2, probability=1.0)
    radiometric = AugmentParams(scale=0.2, shift=0.2, brightness=0.3, contrast=0.3,
                                noise=0.1, probability=1.0)
    for seed in range(12):
        data, out_mask = augment_sources({"s2": series, "s1": single}, {"s2": present}, mask,
                                         geometric, np.random.default_rng(seed), 255)
        inside = out_mask != 255
        np.testing.assert_array_equal(data["s2"][0, 0], data["s1"][0])
        np.testing.assert_array_equal(data["s2"][2, 1], 2 * data["s1"][0])
        np.testing.assert_array_equal(data["s1"][0][inside] > 0, out_mask[inside] == 1)
        assert not np.any(data["s1"][:, ~inside]), "pixels from outside are 0"
        data, _ = augment_sources({"s2": series, "s1": single}, {"s2": present}, mask,
                                  radiometric, np.random.default_rng(seed), 255)
        assert np.all(data["s2"][1] == 0.0), "an absent date stays exactly zero"
        assert np.any(data["s2"][0] != data["s2"][2]), "dates get their own radiometry"


def test_batches_are_nested_dicts_on_the_device(multi) -> None:
    loader = torch.utils.data.DataLoader(_dataset(multi, ("s2", "s1"), "minmax"), batch_size=3)
    ctx = StepContext(torch.device("cpu"), None, True, "multiclass", 0.5, 3, 255)
    inputs, mask = to_device(next(iter(loader)), ctx)
    assert inputs["data"]["s2"].shape == (3, 3, 2, 32, 32)
    assert inputs["data"]["s1"].is_contiguous(memory_format=torch.channels_last)
    assert inputs["present"]["s2"].shape == (3, 3) and inputs["present"]["s2"].dtype == torch.bool
    assert inputs["doy"]["s2"].dtype == torch.float32 and mask.shape == (3, 32, 32)


def _job(dataset: Path, out: Path, **extra) -> dict:
    job = {"dataset": str(dataset), "output_dir": str(out), "epochs": 1, "batch_size": 4,
           "model": {"architecture": "custom_unet", "depth": 2, "base_width": 4},
           "data": {"num_workers": 0, "normalization": "standardize"}}
    for key, value in extra.items():
        job[key] = {**job[key], **value} if isinstance(job.get(key), dict) else value
    return job


@pytest.mark.parametrize(("change", "key", "message"), [
    ({"data": {"sources": ["s2", "s2"]}}, "data.sources", "more than once"),
    ({"data": {"sources": ["s2"], "source": "s1"}}, "data.sources", "both set"),
    ({"model": {"fusion_method": "film"}}, "model.fusion_method", "needs model.fusion=mid"),
    ({"model": {"stream_encoders": {"s1": "custom"}}}, "model.stream_encoders", "early"),
    ({"optim": {"stream_lr": {"s1": 0.1}}}, "optim.stream_lr", "early fusion has one"),
    ({"data": {"sources": ["s2", "s1"]}, "model": {"fusion": "mid"},
      "optim": {"stream_lr": {"dem": 0.1}}}, "optim.stream_lr", "'dem', not in data.sources"),
])
def test_contradicting_source_keys_are_job_errors(multi, tmp_path, change, key, message):
    with pytest.raises(JobError, match=message) as caught:
        run_job("train", _job(multi, tmp_path / "out", **change), Events(io.StringIO()))
    assert caught.value.key == key


@pytest.mark.parametrize(("change", "key", "message"), [
    ({"data": {"sources": ["s2", "radar"]}}, "data.sources",
     r"no source 'radar' \(it has images, s2, s1\)"),
    ({"model": {"fusion": "mid", "stream_encoders": {"radar": "custom"}}},
     "model.stream_encoders", "'radar', which this run does not consume"),
])
def test_sources_the_dataset_lacks_are_named(multi, tmp_path, change, key, message):
    out = tmp_path / "out"
    with pytest.raises(SatsegError, match=message) as caught:
        run_job("train", _job(multi, out, **change), Events(io.StringIO()))
    assert caught.value.key == key and caught.value.hint
    assert not out.exists() or not list(out.iterdir()), "nothing written before the check"


def test_fusion_keys_on_a_single_source_dataset_warn_and_train_as_before(tmp_path) -> None:
    ds = make_dataset(tmp_path / "single", bands=3, patch_size=16,
                      counts={"train": 4, "validation": 2})
    stream = io.StringIO()
    summary = run_job("train", _job(ds, tmp_path / "out", model={
        "architecture": "custom_unet", "depth": 2, "base_width": 4, "fusion": "mid"}),
        Events(stream))
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    warnings = [e["message"] for e in events if e.get("level") == "warning"]
    assert any("model.fusion ignored" in w and "single-source" in w for w in warnings)
    header = torch.load(tmp_path / "out" / "last.pt", weights_only=True)["header"]
    assert summary["epochs_run"] == 1
    assert "sources" not in header and "multisource" not in header
    assert header["band_names"] == ["B1", "B2", "B3"] and header["in_channels"] == 3


@pytest.mark.parametrize("data", [{"sources": ["s1"]}, {"source": "s1"}])
def test_one_single_date_source_other_than_images_is_a_single_source_model(multi, tmp_path,
                                                                           data) -> None:
    out = tmp_path / "out"
    run_job("train", _job(multi, out, data=data), Events(io.StringIO()))
    header = torch.load(out / "last.pt", weights_only=True)["header"]
    assert "sources" not in header and "multisource" not in header
    s1 = json.loads((multi / "dataset.json").read_text())["sources"]["s1"]
    assert header["band_names"] == ["VV", "VH"] and header["in_channels"] == 2
    assert header["normalization"]["bands"] == s1["statistics"]["bands"], "s1's statistics"
    assert header["normalization"]["nodata"] is None
