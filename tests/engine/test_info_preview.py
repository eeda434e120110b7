"""`satseg info` and `satseg preview` on a dataset written by `satseg extract`."""

from __future__ import annotations

import io

import pytest
from raster_factory import error_code, run_verb, scene

from satseg_engine.core.cli import run_job
from satseg_engine.core.events import Events
from satseg_engine.pictures.composite import choose_bands


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ds")
    image, labels = scene(tmp, 96, 96, bands=4)
    run_verb("extract", image=image, labels=labels, output_dir=tmp / "ds", patch_size=32,
             ratios=[0.5, 0.25, 0.25], workers=1)
    return tmp / "ds"


def test_info_summary_and_table(dataset):
    summary, _ = run_verb("info", dataset=dataset)
    assert sum(summary["patches"].values()) == 9 and min(summary["patches"].values()) > 0
    assert set(summary["band_statistics (train)"]) == {"B2", "B3", "B4", "B5"}
    assert len(summary["classes"]) == 3
    human = io.StringIO()
    events = Events(io.StringIO(), mode="bar", human=human)
    events.done(run_job("info", {"dataset": str(dataset / "dataset.json")}, events))
    text = human.getvalue()
    assert "band_statistics (train)" in text and "B3  mean" in text and "validation" in text


def test_preview_png(dataset, tmp_path):
    summary, events = run_verb("preview", dataset=dataset, output=tmp_path / "p.png",
                               per_split=2)
    data = (tmp_path / "p.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert summary["patches_shown"] == 6 and summary["bands"] == ["B4", "B3", "B2"]
    assert [e["kind"] for e in events if e["type"] == "artifact"] == ["plot"]


@pytest.mark.parametrize(("names", "wanted", "expected"), [
    (["B2", "B3", "B4", "B8"], (), [3, 2, 1]),
    (["b02", "b03", "b04", "b08"], (), [3, 2, 1]),
    (["red", "green", "blue", "nir"], (), [3, 0, 1]),
    (["x", "y", "z", "w"], (), [0, 1, 2]),
    (["only"], (), [0, 0, 0]),
    (["B2", "B3", "B4"], ("B2", "B2", "B3"), [0, 0, 1]),
])
def test_choose_bands(names, wanted, expected):
    assert choose_bands(names, wanted) == expected


@pytest.mark.parametrize("verb", ["info", "preview"])
def test_not_a_dataset(tmp_path, verb):
    assert error_code(verb, dataset=tmp_path) == "not_a_dataset"
    (tmp_path / "dataset.json").write_text('{"kind": "other"}')
    assert error_code(verb, dataset=tmp_path) == "not_a_dataset"
    assert not list(tmp_path.glob("*.png"))


def test_info_takes_the_dataset_as_its_first_argument(tmp_path):
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "satseg_engine", "info", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    last = json.loads(proc.stdout.splitlines()[-1])
    # the folder reached the dataset check: it was taken as the dataset, not refused as an argument
    assert last["type"] == "error" and last["code"] == "not_a_dataset", last
    assert str(tmp_path) in last["message"] and "satseg extract" in last["hint"]
