"""Reliability matrix, datasets and checkpoints: `satseg train` and `satseg predict` on bad ones."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from factory import code_pickle, read, variant, write
from harness import Snapshot, check_done, check_refused, no_temporaries, run_cli
from scenarios import cases_of, registry

SCENARIOS, scenario = registry()


def refused_train(case, world, tmp_path, dataset):
    snap = Snapshot.take([tmp_path])
    result = run_cli("train", *world.train_args(tmp_path / "model", dataset=dataset))
    error = check_refused(result, case.code, snap)
    assert not (tmp_path / "model" / "last.pt").exists()
    return error


def refused_predict(case, world, tmp_path, checkpoint, raster=None):
    snap = Snapshot.take([tmp_path])
    out = tmp_path / "out"
    result = run_cli("predict", "--raster", raster or world.scene, "--checkpoint", checkpoint,
                     "--output-dir", out)
    error = check_refused(result, case.code, snap)
    assert not out.exists() or not any(out.glob("*.tif")), "no prediction written"
    return error


# -- datasets ---------------------------------------------------------------------------------

@scenario
def dataset_no_json(case, world, tmp_path):
    dataset = world.copy_dataset(tmp_path / "ds")
    (dataset / "dataset.json").unlink()
    error = refused_train(case, world, tmp_path, dataset)
    assert "dataset.json" in error["message"] and "satseg extract" in error["hint"]


@scenario
def dataset_no_train(case, world, tmp_path):
    dataset = world.copy_dataset(tmp_path / "ds")
    for path in (dataset / "Patch" / "train").rglob("*.tif"):
        path.unlink()
    error = refused_train(case, world, tmp_path, dataset)
    assert "training patches" in error["message"]


@scenario
def dataset_class_only_in_validation(case, world, tmp_path):
    """Class 1 ("water") is taken out of every training label (made class 6), as an extraction
    whose water lies only in validation blocks writes it."""
    dataset = world.copy_dataset(tmp_path / "ds")
    info = json.loads((dataset / "dataset.json").read_text())
    for path in (dataset / "Patch" / "train" / "labels").glob("*.tif"):
        data, profile = read(path)
        write(path, np.where(data == 1, 6, data).astype(data.dtype), profile)
    train = info["splits"]["train"]["class_pixels"]
    train["6"] += train.pop("1")
    (dataset / "dataset.json").write_text(json.dumps(info))
    assert info["splits"]["validation"]["class_pixels"]["1"] > 0
    result = run_cli("train", *world.train_args(tmp_path / "model", dataset=dataset))
    check_done(result)
    warned = [w for w in result.warnings() if "water" in w and "training" in w]
    assert warned, result.warnings()


@scenario
def dataset_patches_deleted(case, world, tmp_path):
    dataset = world.copy_dataset(tmp_path / "ds")
    listed = json.loads((dataset / "dataset.json").read_text())["splits"]["train"]["patches"]
    gone = sorted((dataset / "Patch" / "train" / "images").glob("*.tif"))[:3]
    for path in gone:
        path.unlink()
    result = run_cli("train", *world.train_args(tmp_path / "model", dataset=dataset))
    check_done(result)
    warned = [w for w in result.warnings() if "missing" in w]
    assert warned and f"3 of the {listed} train patches" in warned[0], result.warnings()


# -- checkpoints ------------------------------------------------------------------------------

@scenario
def checkpoint_truncated(case, world, tmp_path):
    path = tmp_path / "cut.pt"
    data = world.best.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = refused_predict(case, world, tmp_path, path)
    assert "cut.pt" in error["message"]


@scenario
def checkpoint_random_bytes(case, world, tmp_path):
    path = tmp_path / "noise.pt"
    path.write_bytes(np.random.default_rng(0).bytes(20_000))
    error = refused_predict(case, world, tmp_path, path)
    assert "weights_only" not in json.dumps(error)


@scenario
def checkpoint_newer_schema(case, world, tmp_path):
    import torch

    data = torch.load(world.best, weights_only=True)
    data["schema"] = 99
    path = tmp_path / "future.pt"
    torch.save(data, path)
    error = refused_predict(case, world, tmp_path, path)
    assert "99" in error["message"] and "update" in error["hint"]


@scenario
def checkpoint_band_mismatch(case, world, tmp_path):
    raster = variant(world.scene, tmp_path / "four.tif",
                     lambda d: np.concatenate([d, d[:1]]).astype(d.dtype))
    error = refused_predict(case, world, tmp_path, world.best, raster=raster)
    assert "4" in error["message"] and "3" in error["message"]


@scenario
def checkpoint_code_pickle(case, world, tmp_path):
    marker = tmp_path / "payload-ran"
    path = code_pickle(tmp_path / "gift.pt", marker)
    error = refused_predict(case, world, tmp_path, path)
    assert not marker.exists(), "the pickle's code ran"
    text = json.dumps(error)
    assert "weights_only" not in text and "trust" in error["hint"]
    assert "system" in error["message"]
    assert not os.path.exists(marker)


@pytest.mark.parametrize("case", cases_of(SCENARIOS), ids=lambda c: c.id)
def test_case(case, world, tmp_path):
    SCENARIOS[case.id](case, world, tmp_path)
    no_temporaries(tmp_path)
