"""Reliability matrix, processes: SIGTERM and SIGKILL in the middle of a run, two runs into one
output, and resuming a killed training."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import torch
from factory import variant
from harness import (
    SIGINT,
    SIGKILL,
    SIGTERM,
    Snapshot,
    assert_complete,
    check_done,
    check_refused,
    engine_command,
    is_event,
    no_temporaries,
    run_cli,
    run_until,
)
from scenarios import cases_of, registry

SCENARIOS, scenario = registry()
#: an extraction of thousands of 8-px patches: long enough to be stopped in the middle.
SLOW_EXTRACT = ("--patch-size", 8, "--overlap", 6, "--split-method", "random", "--workers", 1)


def slow_extract_args(world, out):
    return ["--image", world.scene, "--labels", world.labels, "--output-dir", out,
            *SLOW_EXTRACT]


def big_raster(world, tmp_path):
    """The scene tiled 8 × 8 (1024² px): a prediction that takes a while."""
    return variant(world.scene, tmp_path / "big.tif", lambda d: np.tile(d, (1, 8, 8)))


def first_progress(stage):
    return is_event("progress", stage=stage)


def cancelled(case, result, seconds, sent):
    assert sent, "the run ended before it could be signalled"
    error = check_refused(result, case.code, exit_code=130)
    assert seconds < 3.0, f"took {seconds:.1f} s to stop after SIGTERM"
    return error


# -- SIGTERM ----------------------------------------------------------------------------------

@scenario
def sigterm_extract(case, world, tmp_path):
    out = tmp_path / "ds"
    result, seconds, sent = run_until("extract", *slow_extract_args(world, out),
                                      when=first_progress("extract"), sig=SIGTERM)
    cancelled(case, result, seconds, sent)
    assert not out.exists()
    no_temporaries(tmp_path)


@scenario
def sigterm_train(case, world, tmp_path):
    out = tmp_path / "model"
    result, seconds, sent = run_until("train", *world.train_args(out, "--epochs", 3),
                                      when=first_progress("train"), sig=SIGTERM)
    cancelled(case, result, seconds, sent)
    last = torch.load(out / "last.pt", weights_only=True)
    assert last["resume"]["interrupted"] is True
    no_temporaries(tmp_path)


@scenario
def ctrl_c_train_workers(case, world, tmp_path):
    out = tmp_path / "model"
    result, seconds, sent = run_until(
        "train", *world.train_args(out, "--epochs", 3, "--data.num-workers", 2),
        when=first_progress("train"), sig=SIGINT, group=True)
    cancelled(case, result, seconds, sent)
    last = torch.load(out / "last.pt", weights_only=True)
    assert last["resume"]["interrupted"] is True
    no_temporaries(tmp_path)


@scenario
def sigterm_predict(case, world, tmp_path):
    out = tmp_path / "out"
    raster = big_raster(world, tmp_path)
    result, seconds, sent = run_until("predict", *world.predict_args(out, raster=raster),
                                      when=first_progress("predict"), sig=SIGTERM)
    cancelled(case, result, seconds, sent)
    assert not list(out.glob("big_*")) if out.exists() else True
    no_temporaries(tmp_path)


# -- SIGKILL ----------------------------------------------------------------------------------

@scenario
def sigkill_extract(case, world, tmp_path):
    out = tmp_path / "ds"
    result, _, sent = run_until("extract", *slow_extract_args(world, out),
                                when=first_progress("extract"), sig=SIGKILL)
    assert sent and result.returncode == -9
    assert not out.exists() and list(tmp_path.glob(".ds.part-*")), "a killed run's leftover"
    summary = check_done(run_cli("extract", *world.extract_args(out)))
    assert summary["patches"] == 16
    no_temporaries(tmp_path)
    for path in out.rglob("*"):
        if path.is_file():
            assert_complete(path)


@scenario
def sigkill_train(case, world, tmp_path):
    """Killed in epoch 2: `--resume last.pt` alone continues from epoch 1 to the end."""
    out = tmp_path / "model"
    steps = 3  # 11 training patches in batches of 4
    result, _, sent = run_until("train", *world.train_args(out, "--epochs", 2),
                                when=is_event("progress", stage="train", done=steps + 1),
                                sig=SIGKILL)
    assert sent and result.returncode == -9
    assert torch.load(out / "last.pt", weights_only=True)["header"]["epoch"] == 1
    resumed = run_cli("train", "--resume", out / "last.pt")
    summary = check_done(resumed)
    logs = [e["message"] for e in resumed.events if e["type"] == "log"]
    assert any("after epoch 1" in m for m in logs), logs
    assert resumed.events[0]["job"]["epochs"] == 2
    assert resumed.events[0]["job"]["model"]["architecture"] == "custom_unet"
    assert summary["epochs_run"] == 2
    assert torch.load(out / "last.pt", weights_only=True)["header"]["epoch"] == 2
    no_temporaries(tmp_path)


@scenario
def sigkill_predict(case, world, tmp_path):
    out = tmp_path / "out"
    raster = big_raster(world, tmp_path)
    result, _, sent = run_until("predict", *world.predict_args(out, raster=raster),
                                when=first_progress("predict"), sig=SIGKILL)
    assert sent and result.returncode == -9
    assert not (out / "big_classes.tif").exists()
    check_done(run_cli("predict", *world.predict_args(out, "--name", "big")))
    no_temporaries(tmp_path)
    for path in out.iterdir():
        assert_complete(path)


# -- two runs, resume -------------------------------------------------------------------------

@scenario
def two_runs_one_output(case, world, tmp_path):
    out = tmp_path / "ds"
    first = subprocess.Popen(engine_command("extract", *slow_extract_args(world, out)),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert first.stdout is not None
        for line in first.stdout:
            if '"progress"' in line:
                break
        snap = Snapshot.take([tmp_path])
        second = run_cli("extract", *world.extract_args(out))
        error = check_refused(second, case.code)
        assert str(out) in error["message"] and error["key"] == "output_dir"
        changed, _ = snap.changes()
        assert not [p for p in changed if ".part-" not in str(p)], changed
    finally:
        first.terminate()
        first.wait(timeout=30)
    assert first.returncode == 130
    check_done(run_cli("extract", *world.extract_args(out)))  # the lock died with the run


@scenario
def resume_other_architecture(case, world, tmp_path):
    (tmp_path / "model").mkdir()
    last = tmp_path / "model" / "last.pt"
    last.write_bytes(world.last.read_bytes())
    snap = Snapshot.take([last])
    result = run_cli("train", "--resume", last, "--model.architecture", "Unet")
    error = check_refused(result, case.code, snap)
    assert "custom_unet" in error["message"] and "Unet" in error["message"]
    assert "--resume alone" in error["hint"]


@pytest.mark.parametrize("case", cases_of(SCENARIOS), ids=lambda c: c.id)
def test_case(case, world, tmp_path):
    SCENARIOS[case.id](case, world, tmp_path)
