"""`satseg predict` on many scenes: folder, glob and list inputs, one output set per raster
identical to predicting it alone, a summary, reruns that skip complete scenes, failed scenes
recorded while the others go on, and two torchrun ranks on the CPU (gloo)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from prediction_helpers import read, train_tiny_checkpoint, write_raster

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import JobError, SatsegError
from satseg_engine.core.events import Events

pytestmark = pytest.mark.usefixtures("one_torch_thread")
SIZES = [(40, 52), (33, 47), (48, 40)]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    """A custom U-Net trained 1 epoch on a tiny patch dataset."""
    return train_tiny_checkpoint(tmp_path_factory.mktemp("scenes-model"))


@pytest.fixture(scope="module")
def tiles(tmp_path_factory) -> Path:
    """Three 4-band scenes of different sizes in one folder, plus a text file beside them."""
    folder = tmp_path_factory.mktemp("tiles")
    rng = np.random.default_rng(5)
    for i, (h, w) in enumerate(SIZES):
        write_raster(folder / f"tile{i}.tif", rng.uniform(800, 4000, (4, h, w)).astype(
            np.float32))
    (folder / "notes.txt").write_text("not a raster")
    return folder


def predict(out: Path, checkpoint: Path, **job) -> tuple[dict, list[dict]]:
    stream = io.StringIO()
    summary = run_job("predict", {"checkpoint": str(checkpoint), "output_dir": str(out),
                                  "device": "cpu", **job}, Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


def outputs_of(out: Path) -> dict[str, np.ndarray]:
    return {p.name: read(p) for p in sorted(out.glob("*_c*.tif"))}


@pytest.fixture(scope="module")
def alone(tiles, checkpoint, tmp_path_factory) -> dict[str, np.ndarray]:
    """Each tile predicted by itself, the one-scene way."""
    out = tmp_path_factory.mktemp("alone")
    for tile in sorted(tiles.glob("*.tif")):
        predict(out, checkpoint, raster=str(tile))
    return outputs_of(out)


def test_folder_gives_each_scenes_outputs_and_a_summary(tiles, checkpoint, alone, tmp_path):
    summary, events = predict(tmp_path / "out", checkpoint, raster=str(tiles))
    assert [s["name"] for s in summary["scenes"]] == ["tile0", "tile1", "tile2"]
    assert (summary["predicted"], summary["skipped"], summary["failed"]) == (3, 0, 0)
    got = outputs_of(tmp_path / "out")
    assert sorted(got) == sorted(alone) and len(got) == 6
    for name, data in alone.items():
        np.testing.assert_array_equal(got[name], data, err_msg=name)
    scenes = json.loads((tmp_path / "out" / "scenes.json").read_text())
    assert [s["pixels"] for s in scenes["scenes"]] == [h * w for h, w in SIZES]
    assert all(s["status"] == "ok" and Path(s["outputs"]["classes"]).is_file()
               for s in scenes["scenes"])
    with open(tmp_path / "out" / "scenes.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    areas = [sum(float(v) for k, v in row.items() if k.startswith("area_") and v)
             for row in rows]
    assert areas == [h * w * 100.0 for h, w in SIZES]  # 10 m pixels: every pixel a class
    progress = [e for e in events if e["type"] == "progress" and e["stage"] == "scenes"]
    assert progress[-1]["done"] == progress[-1]["total"] == 3


def test_glob_list_file_and_repeated_flag_select_the_same_scenes(tiles, checkpoint, tmp_path):
    by_glob, _ = predict(tmp_path / "glob", checkpoint, rasters=[str(tiles / "tile[02].tif")])
    assert [s["name"] for s in by_glob["scenes"]] == ["tile0", "tile2"]
    listing = tmp_path / "scenes.txt"
    listing.write_text(f"# two scenes\n{tiles / 'tile2.tif'}\n\n{tiles / 'tile0.tif'}\n")
    by_list, _ = predict(tmp_path / "list", checkpoint, raster_list=str(listing))
    assert [s["name"] for s in by_list["scenes"]] == ["tile2", "tile0"]  # the file's order
    from satseg_engine.core.cli import build_parser
    from satseg_engine.core.jobs import job_from_args
    from satseg_engine.prediction.options import PredictJob

    args = vars(build_parser("predict").parse_args(
        ["predict", "--rasters", f"{tiles / 'tile0.tif'},{tiles / 'tile1.tif'}", "--rasters",
         str(tiles / "tile2.tif"), "--checkpoint", str(checkpoint), "--output-dir", "o"]))
    job = job_from_args(PredictJob, None, {k: v for k, v in args.items()
                                           if k not in ("verb", "config", "progress", "debug")})
    assert [Path(r).name for r in job.rasters] == ["tile0.tif", "tile1.tif", "tile2.tif"]


def test_same_stems_take_their_folder_name(tiles, checkpoint, tmp_path):
    for folder in ("north", "south"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "scene.tif").write_bytes((tiles / "tile0.tif").read_bytes())
    summary, _ = predict(tmp_path / "out", checkpoint, rasters=[str(tmp_path / "*/scene.tif")])
    assert [s["name"] for s in summary["scenes"]] == ["north_scene", "south_scene"]
    assert (tmp_path / "out" / "south_scene_classes.tif").is_file()


@pytest.mark.parametrize(("job", "code", "words"), [
    ({"rasters": ["nowhere/a.tif", "nowhere/b.tif"]}, "invalid_job", "2 raster(s) do not"),
    ({"rasters": ["TILES/tile0.tif", "TILES"]}, "invalid_job", "given twice"),
    ({"rasters": ["TILES/*.jp2"]}, "invalid_job", "no file matches"),
    ({"rasters": ["TILES"], "output_dir": None}, "invalid_job", "need 'output_dir'"),
])
def test_bad_scene_lists_are_refused_before_any_work(tiles, checkpoint, tmp_path, job, code,
                                                     words):
    job = {k: ([str(v).replace("TILES", str(tiles)) for v in val] if isinstance(val, list)
               else val) for k, val in job.items()}
    with pytest.raises(JobError) as caught:
        predict(tmp_path / "out", checkpoint, **job)
    assert caught.value.code == code and words in caught.value.message
    assert caught.value.hint
    assert not (tmp_path / "out" / "scenes.json").exists()


def test_rerun_skips_complete_scenes_and_a_new_model_recomputes(tiles, checkpoint, tmp_path):
    out = tmp_path / "out"
    predict(out, checkpoint, raster=str(tiles))
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.tif")}
    again, events = predict(out, checkpoint, raster=str(tiles))
    assert (again["predicted"], again["skipped"]) == (0, 3)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.tif")} == mtimes
    assert [s["status"] for s in again["scenes"]] == ["skipped"] * 3
    assert sum("complete, skipped" in e.get("message", "") for e in events) == 3
    assert not [e for e in events if "loaded once" in e.get("message", "")]  # nothing to run
    (out / "tile1_classes.tif").unlink()  # an incomplete scene is predicted again
    partial, _ = predict(out, checkpoint, raster=str(tiles))
    assert (partial["predicted"], partial["skipped"]) == (1, 2)
    other_job, _ = predict(out, checkpoint, raster=str(tiles), overlap=0.25)
    assert (other_job["predicted"], other_job["skipped"]) == (3, 0)
    changed = tmp_path / "model.pt"
    changed.write_bytes(checkpoint.read_bytes() + b"\0")  # other bytes: another model
    retrained, _ = predict(out, changed, raster=str(tiles))
    assert (retrained["predicted"], retrained["skipped"]) == (3, 0)
    forced, _ = predict(out, changed, raster=str(tiles), overwrite=True)
    assert forced["predicted"] == 3


def test_a_failing_scene_is_recorded_and_the_others_go_on(tiles, checkpoint, tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("tile0", "tile2"):
        (tmp_path / "in" / f"{name}.tif").write_bytes((tiles / f"{name}.tif").read_bytes())
    (tmp_path / "in" / "broken.tif").write_bytes(b"II*\0 truncated")
    write_raster(tmp_path / "in" / "twoband.tif", np.ones((2, 20, 20), np.float32))
    summary, _ = predict(tmp_path / "out", checkpoint, raster=str(tmp_path / "in"))
    status = {s["name"]: (s["status"], s["code"]) for s in summary["scenes"]}
    assert status["tile0"] == status["tile2"] == ("ok", None)
    assert status["broken"] == ("failed", "not_a_raster")
    assert status["twoband"][0] == "failed" and status["twoband"][1]
    assert not list((tmp_path / "out").glob("broken_*")) + list(
        (tmp_path / "out").glob("twoband_*"))
    with pytest.raises(SatsegError) as caught:
        predict(tmp_path / "stop", checkpoint, raster=str(tmp_path / "in"), stop_on_error=True)
    assert caught.value.code == "not_a_raster"
    with pytest.raises(SatsegError) as every:
        predict(tmp_path / "none", checkpoint, rasters=[str(tmp_path / "in" / "broken.tif"),
                                                        str(tmp_path / "in" / "twoband.tif")])
    assert every.value.code == "all_scenes_failed"
    failed = json.loads((tmp_path / "none" / "scenes.json").read_text())
    assert [s["status"] for s in failed["scenes"]] == ["failed", "failed"]


def test_two_torchrun_ranks_share_the_scenes(tiles, checkpoint, alone, tmp_path):
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["OMP_NUM_THREADS"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
         "2", "-m", "satseg_engine", "predict", "--raster", str(tiles),
         "--checkpoint", str(checkpoint), "--output-dir", str(out), "--device", "cpu"],
        capture_output=True, text=True, timeout=200, env=env)
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert events[-1]["type"] == "done"
    assert len([e for e in events if e["type"] == "started"]) == 1  # rank 0's stream only
    done = [e["done"] for e in events if e["type"] == "progress" and e["stage"] == "scenes"]
    assert done == sorted(done) and done[-1] == 3 and max(done) == 3
    records = [json.loads(p.read_text()) for p in sorted((out / ".satseg-scenes").glob("*"))]
    assert [(r["name"], r["rank"]) for r in records] == [("tile0", 0), ("tile1", 1),
                                                         ("tile2", 0)]
    summary = json.loads((out / "scenes.json").read_text())
    assert summary["ranks"] == 2 and [s["status"] for s in summary["scenes"]] == ["ok"] * 3
    got = outputs_of(out)
    assert sorted(got) == sorted(alone)
    for name, data in alone.items():
        np.testing.assert_array_equal(got[name], data, err_msg=name)


def test_cancel_keeps_the_finished_scenes(tiles, checkpoint, tmp_path):
    (tmp_path / "in").mkdir()
    for i in range(8):
        (tmp_path / "in" / f"s{i}.tif").write_bytes((tiles / "tile0.tif").read_bytes())
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "satseg_engine", "predict", "--raster", str(tmp_path / "in"),
         "--checkpoint", str(checkpoint), "--output-dir", str(out), "--device", "cpu"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"})
    lines = []
    for line in proc.stdout:
        lines.append(json.loads(line))
        if lines[-1].get("message", "").startswith("scene 2/8"):  # the first is recorded
            proc.send_signal(signal.SIGTERM)
            break
    lines += [json.loads(line) for line in proc.stdout]
    assert proc.wait(timeout=60) == 130
    assert lines[-1]["type"] == "error" and lines[-1]["code"] == "cancelled"
    records = sorted(p.stem for p in (out / ".satseg-scenes").glob("*.json"))
    assert records and len(records) < 8 and records[0] == "s0"
    for name in records:
        assert read(out / f"{name}_classes.tif").shape == (1, 40, 52)
    assert not [p.name for p in out.rglob("*") if ".part-" in p.name]
    assert not (out / "scenes.json").exists()
    again, _ = predict(out, checkpoint, raster=str(tmp_path / "in"))
    assert (again["skipped"], again["predicted"]) == (len(records), 8 - len(records))
