"""Named pretrained weight sets: band matching, the first convolution, the cache, downloads
(from file:// URLs the tests write), the offline error, and real tiny trainings that start from a
set and record its normalisation for prediction. Nothing is downloaded from the network."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from pathlib import Path

import pytest
import torch
from dataset_factory import make_dataset

from conftest import run_engine
from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import JobError, SatsegError
from satseg_engine.core.events import Events
from satseg_engine.models import checkpoint, weights
from satseg_engine.models import registry as models
from satseg_engine.models.weight_bands import match_bands, normalization_for
from satseg_engine.prediction.normalize import normalize_torch

pytestmark = pytest.mark.usefixtures("one_torch_thread")

S2 = weights.WEIGHT_SETS["ssl4eo_s12_moco"]
#: the cache file of ssl4eo_s12_moco for resnet18: <cache>/<set>/<encoder>/<URL's file name>
S2_FILE = "ssl4eo_s12_moco/resnet18/resnet18_sentinel2_all_moco-59bfdff9.pth"
BANDS = ["blue", "green", "red", "nir", "ndvi"]


def fake_encoder_weights(n_bands: int) -> dict[str, torch.Tensor]:
    """A resnet18 encoder state dict whose first kernel is k+1 everywhere for input band k,
    with a classifier head and a `module.` prefix like real checkpoints."""
    encoder = models.build_model("Unet", "resnet18", n_bands, 2).encoder
    state = {f"module.{k}": v.clone() for k, v in encoder.state_dict().items()}
    kernel = state["module.conv1.weight"]
    for band in range(n_bands):
        kernel[:, band] = band + 1.0
    state["module.fc.weight"] = torch.zeros(1000, 512)
    state["module.fc.bias"] = torch.zeros(1000)
    return state


@pytest.fixture(scope="module")
def named_dataset(tmp_path_factory) -> Path:
    """5 bands named blue, green, red, nir, ndvi (the last one no weight set knows)."""
    root = make_dataset(tmp_path_factory.mktemp("named") / "patches", bands=5, patch_size=32,
                        counts={"train": 8, "validation": 4, "test": 2})
    info = json.loads((root / "dataset.json").read_text())
    info["band_names"] = info["sources"]["images"]["band_names"] = BANDS
    for band, name in zip(info["statistics"]["bands"], BANDS, strict=True):
        band["name"] = name
    (root / "dataset.json").write_text(json.dumps(info))
    return root


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty weights cache, and no network: SATSEG_OFFLINE=1."""
    folder = tmp_path / "weights-cache"
    monkeypatch.setenv("SATSEG_WEIGHTS_DIR", str(folder))
    monkeypatch.setenv("SATSEG_OFFLINE", "1")
    return folder


def _job(dataset: Path, out: Path, **model) -> dict:
    return {"dataset": str(dataset), "output_dir": str(out), "epochs": 1, "batch_size": 4,
            "device": "cpu", "model": {"architecture": "Unet", "encoder": "resnet18", **model},
            "data": {"num_workers": 0, "normalization": "weights"},
            "augment": {"enabled": False}}


def _train(job: dict) -> tuple[dict, list[dict]]:
    stream = io.StringIO()
    summary = run_job("train", job, Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


# -- matching and adapting ---------------------------------------------------------------------

@pytest.mark.parametrize(("names", "expected"), [
    (["blue", "green", "red", "nir"], [1, 2, 3, 7]),
    (["B02", "B3", "b_04", "B8A", "B08"], [1, 2, 3, 8, 7]),
    (["Red", "SWIR16", "swir2", "cirrus"], [3, 11, 12, 10]),
    (["ndvi", "elevation"], [None, None]),
])
def test_bands_match_sentinel2_names_and_common_names(names, expected) -> None:
    assert match_bands(names, S2) == expected


def test_the_first_convolution_is_adapted_band_by_band(tmp_path) -> None:
    path = tmp_path / "s2.pth"
    torch.save(fake_encoder_weights(13), path)
    model, loaded = models.load_weight_set("Unet", "resnet18", BANDS, 2, {}, "ssl4eo_s12_moco",
                                           path)
    kernel = model.encoder.conv1.weight.detach()
    assert kernel.shape[1] == 5
    # B02=2, B03=3, B04=4, B08=8; ndvi: mean of 1…13 = 7; all scaled by 13 set bands / 5
    for band, value in enumerate([2, 3, 4, 8, 7]):
        assert torch.allclose(kernel[:, band], torch.full_like(kernel[:, band], value * 13 / 5))
    reference = torch.load(path, weights_only=True)["module.layer1.0.conv1.weight"]
    assert torch.equal(model.encoder.layer1[0].conv1.weight.detach(), reference)
    assert loaded["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_no_matching_name_repeats_the_kernels_in_the_set_order(tmp_path) -> None:
    path = tmp_path / "s2.pth"
    torch.save(fake_encoder_weights(13), path)
    model, _ = models.load_weight_set("Unet", "resnet18", ["x1", "x2"], 2, {},
                                      "ssl4eo_s12_moco", path)
    kernel = model.encoder.conv1.weight.detach()
    assert kernel[0, 0, 0, 0].item() == pytest.approx(1 * 13 / 2)
    assert kernel[0, 1, 0, 0].item() == pytest.approx(2 * 13 / 2)


def test_a_file_of_another_encoder_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "rgb.pth"
    torch.save(fake_encoder_weights(3), path)  # 3 bands, the set has 13
    with pytest.raises(SatsegError) as info:
        models.load_weight_set("Unet", "resnet18", BANDS, 2, {}, "ssl4eo_s12_moco", path)
    assert info.value.code == "bad_encoder_weights"
    assert "13 bands" in str(info.value)


def test_imagenet_normalisation_stretches_p2_p98_then_uses_imagenet_statistics() -> None:
    stats = {"bands": [{"name": n, "p2": 100.0, "p98": 1100.0} for n in ("red", "nir")]}
    record = normalization_for(weights.WEIGHT_SETS["imagenet"], weights.IMAGENET,
                               ["red", "nir"], stats, 0)
    red, nir = record["bands"]
    assert record["method"] == "standardize" and record["origin"] == "weights:imagenet"
    assert red["mean"] == pytest.approx(100 + 0.485 * 1000)
    assert red["std"] == pytest.approx(0.229 * 1000)
    assert nir["mean"] == pytest.approx(100 + (0.485 + 0.456 + 0.406) / 3 * 1000)
    assert nir["std"] == pytest.approx((0.229 + 0.224 + 0.225) / 3 * 1000)


# -- the cache and downloads ---------------------------------------------------------------------

def _file_set(tmp_path: Path, monkeypatch, content: bytes, prefix: str) -> weights.WeightSet:
    source = tmp_path / "served" / f"fake_weights-{prefix}.pth"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(content)
    test_set = dataclasses.replace(S2, name="test_set", urls={"resnet18": source.as_uri()})
    monkeypatch.setitem(weights.WEIGHT_SETS, "test_set", test_set)
    return test_set


def test_a_set_is_downloaded_once_into_the_cache(tmp_path, cache, monkeypatch) -> None:
    monkeypatch.delenv("SATSEG_OFFLINE")
    content = b"weights " * 1000
    test_set = _file_set(tmp_path, monkeypatch, content, hashlib.sha256(content).hexdigest()[:8])
    path = weights.fetch(test_set, "resnet18")
    assert path == cache / "test_set" / "resnet18" / path.name
    assert path.read_bytes() == content
    (tmp_path / "served" / path.name).unlink()  # the source is gone: the cache answers
    assert weights.fetch(test_set, "resnet18").read_bytes() == content


def test_a_download_with_a_wrong_checksum_leaves_nothing(tmp_path, cache, monkeypatch) -> None:
    monkeypatch.delenv("SATSEG_OFFLINE")
    test_set = _file_set(tmp_path, monkeypatch, b"not what was published", "0123abcd")
    with pytest.raises(SatsegError, match="checksum") as info:
        weights.fetch(test_set, "resnet18")
    assert info.value.code == "weights_unavailable"
    folder = cache / "test_set" / "resnet18"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_an_unreachable_url_is_weights_unavailable(tmp_path, cache, monkeypatch) -> None:
    monkeypatch.delenv("SATSEG_OFFLINE")
    test_set = _file_set(tmp_path, monkeypatch, b"x", "0123abcd")
    (tmp_path / "served" / "fake_weights-0123abcd.pth").unlink()
    with pytest.raises(SatsegError) as info:
        weights.fetch(test_set, "resnet18")
    assert info.value.code == "weights_unavailable"
    assert "model.encoder_weights_path" in info.value.hint


def test_offline_and_not_cached_is_a_clear_error_event(named_dataset, tmp_path, cache) -> None:
    config = tmp_path / "job.json"
    config.write_text(json.dumps({"schema": 1, **_job(named_dataset, tmp_path / "out",
                                                     encoder_weights="ssl4eo_s12_moco")}))
    run = run_engine("train", "--config", str(config), "--progress", "json")
    error = run.terminal
    assert run.returncode != 0 and error["type"] == "error", error
    assert error["code"] == "weights_unavailable"
    assert str(cache / S2_FILE) in error["message"]
    assert "model.encoder_weights_path" in error["hint"]
    assert "hf.co/torchgeo/resnet18_sentinel2_all_moco" in error["hint"]
    assert not (tmp_path / "out" / "last.pt").exists()


# -- real tiny trainings -------------------------------------------------------------------------

def test_training_from_a_cached_set_records_it_for_prediction(named_dataset, tmp_path,
                                                              cache) -> None:
    (cache / S2_FILE).parent.mkdir(parents=True)
    torch.save(fake_encoder_weights(13), cache / S2_FILE)
    summary, events = _train(_job(named_dataset, tmp_path / "out",
                                  encoder_weights="ssl4eo_s12_moco"))
    logs = " ".join(e["message"] for e in events if e["type"] == "log")
    assert "4 of 5 bands matched by name: blue=B02, green=B03, red=B04, nir=B08" in logs
    header = checkpoint.read_checkpoint(summary["checkpoints"]["last"])["header"]
    record = header["encoder_weights"]
    assert record["name"] == "ssl4eo_s12_moco" and record["file"] == str(cache / S2_FILE)
    assert record["bands"] == {"blue": "B02", "green": "B03", "red": "B04", "nir": "B08",
                               "ndvi": None}
    trained = checkpoint.read_checkpoint(summary["checkpoints"]["last"])["state_dict"]
    first = trained["encoder.conv1.weight"]  # one epoch of small steps from the set's kernel
    assert torch.allclose(first[:, 3], torch.full_like(first[:, 3], 8 * 13 / 5), atol=0.05)
    norm = header["normalization"]
    assert norm["origin"] == "weights:ssl4eo_s12_moco"
    assert [(b["mean"], b["std"]) for b in norm["bands"]] == [(0.0, 10000.0)] * 5
    # prediction normalises with the header's record: reflectance × 10000 → reflectance
    raw = torch.full((5, 4, 4), 2500.0)
    out = normalize_torch(raw, torch.ones(4, 4, dtype=torch.bool), norm)
    assert torch.allclose(out, torch.full_like(out, 0.25))


def test_a_local_file_stands_in_for_the_set_offline(named_dataset, tmp_path, cache) -> None:
    path = tmp_path / "downloaded-by-hand.pth"
    torch.save(fake_encoder_weights(13), path)
    job = _job(named_dataset, tmp_path / "out", encoder_weights="ssl4eo_s12_moco",
               encoder_weights_path=str(path))
    job["data"]["normalization"] = "percentile_2_98"  # the dataset's own, kept
    summary, _ = _train(job)
    header = checkpoint.read_checkpoint(summary["checkpoints"]["last"])["header"]
    assert header["encoder_weights"]["file"] == str(path)
    assert header["normalization"]["method"] == "percentile_2_98"
    assert not (cache / S2_FILE).exists(), "nothing is copied into the cache"


@pytest.mark.parametrize(("model", "data", "code", "words"), [
    ({"encoder_weights": "sentinel9"}, {}, "bad_model", "unknown weight set"),
    ({"encoder": "resnet34", "encoder_weights": "ssl4eo_s12_moco"}, {}, "bad_model",
     "does not fit encoder 'resnet34'"),
    ({"architecture": "custom_unet", "encoder_weights": "imagenet"}, {}, "bad_model",
     "custom U-Net"),
    ({}, {"normalization": "weights"}, "invalid_job", "model.encoder_weights is empty"),
])
def test_weight_set_mistakes_are_refused_before_training(named_dataset, tmp_path, cache, model,
                                                         data, code, words) -> None:
    job = _job(named_dataset, tmp_path / "out", **model)
    job["data"].update(data or {"normalization": "standardize"})
    with pytest.raises((SatsegError, JobError)) as info:
        _train(job)
    assert info.value.code == code and words in str(info.value)
    assert not (tmp_path / "out" / "last.pt").exists()


def test_models_lists_the_weight_sets_and_what_is_cached(cache) -> None:
    (cache / S2_FILE).parent.mkdir(parents=True)
    (cache / S2_FILE).write_bytes(b"a file in the cache")
    summary = run_job("models", {}, Events(io.StringIO()))
    sets = {s["name"]: s for s in summary["weight_sets"]}
    assert summary["weights_cache"] == str(cache)
    assert sets["ssl4eo_s12_moco"]["encoders"] == ["resnet18", "resnet50"]
    assert sets["ssl4eo_s12_moco"]["cached"] == ["resnet18"]
    assert sets["ssl4eo_s12_moco"]["bands"][7] == {"name": "B08", "keys": ["b8", "nir"]}
    assert sets["ssl4eo_s12_moco"]["normalization"]["scale"] == 10000
    assert {"resnet18", "resnet34", "efficientnet-b0"} <= set(sets["imagenet"]["encoders"])
    assert "tu-resnet18" not in sets["imagenet"]["encoders"]


def test_imagenet_weights_come_from_smp_safetensors_in_the_cache(cache) -> None:
    from safetensors.torch import save_file

    state = {k[len("module."):]: v for k, v in fake_encoder_weights(3).items()}
    target = cache / "imagenet" / "resnet18" / "model.safetensors"  # smp's file of resnet18
    target.parent.mkdir(parents=True)
    save_file(state, str(target))
    model, loaded = models.load_weight_set("Unet", "resnet18", BANDS, 2, {}, "imagenet")
    kernel = model.encoder.conv1.weight.detach()
    # ImageNet's first convolution is red=1, green=2, blue=3; nir and ndvi: mean 2; × 3 / 5
    for band, value in enumerate([3, 2, 1, 2, 2]):
        assert torch.allclose(kernel[:, band], torch.full_like(kernel[:, band], value * 3 / 5))
    assert loaded["file"] == str(target)
