"""The Train dialog's Fusion group in a real headless QGIS (models listed by the real engine):
offered for a dataset of several sources or dates, off with its reason for one single-date
source, and turned into the train job's fusion keys."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from satseg_plugin.core import train_job
from satseg_plugin.core.source_info import FUSION_KEYS, choice_list
from satseg_plugin.gui.train_dialog import TrainDialog

S1_DATES = ["2024-05-01", "2024-06-10", "2024-07-20"]


@pytest.fixture
def single_dataset(sample_dataset) -> Path:
    """The sample's dataset: one single-date `images` source (no `sources` block)."""
    return sample_dataset / "dataset"


def described(tmp_path: Path, base: Path, sources: dict) -> Path:
    """A copy of `base`'s dataset.json with a `sources` block, in its own folder."""
    data = json.loads((base / "dataset.json").read_text())
    data["sources"] = sources
    folder = tmp_path / "multi"
    folder.mkdir()
    (folder / "dataset.json").write_text(json.dumps(data))
    return folder


def entry(bands: list, dates: list) -> dict:
    """A dataset.json source entry (the fields the dialog reads, and a few more)."""
    return {"band_names": bands, "dates": dates, "slots": max(1, len(dates)),
            "patch_band_names": [f"{d} {b}" for d in dates for b in bands] or bands,
            "dtype": "float32", "nodata": None, "resampling": "bilinear",
            "max_nodata_frac": 1.0, "rasters": []}


@pytest.fixture
def multi_dataset(tmp_path, single_dataset) -> Path:
    """images (10 bands), s1 (VV, VH × 3 dates), dem (1 band)."""
    bands = json.loads((single_dataset / "dataset.json").read_text())["band_names"]
    return described(tmp_path, single_dataset, {
        "images": {**entry(bands, []), "resampling": "none"},
        "s1": entry(["VV", "VH"], S1_DATES), "dem": entry(["height"], [])})


@pytest.fixture
def dialog(train_dialog):
    return train_dialog


def choose(dialog: TrainDialog, dataset: Path, tmp_path: Path) -> None:
    dialog.dataset.setFilePath(str(dataset))
    dialog.output.setFilePath(str(tmp_path / "run"))


def engine_accepts(engine_python: str, config: Path) -> dict:
    """The first event of `satseg train --config FILE` (`started` once the job is valid, else
    `error`); the run is stopped there."""
    process = subprocess.Popen([engine_python, "-m", "satseg_engine", "train", "--config",
                                str(config), "--progress", "json"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        return json.loads(process.stdout.readline())
    finally:
        process.kill()
        process.wait()


def names(combo) -> list:
    return [combo.itemData(i) for i in range(combo.count())]


def test_one_single_date_source_turns_fusion_off_and_says_why(dialog, single_dataset,
                                                              tmp_path):
    choose(dialog, single_dataset, tmp_path)
    fusion = dialog.fusion
    assert not fusion.active()
    assert "the dataset has one source (images, one date)" in fusion.reason.text()
    assert fusion.reason.isVisibleTo(dialog)
    for widget in (fusion.fusion, fusion.method, fusion.temporal, fusion.fusion_lr):
        assert not widget.isEnabled()
    assert not fusion.streams.isVisibleTo(dialog) and not fusion.rows
    job = train_job.flatten(dialog.job())
    assert not set(job) & set(FUSION_KEYS), "a single-source job is what it always was"


def test_several_sources_offer_the_choices_and_fill_the_job(dialog, multi_dataset, tmp_path,
                                                            engine_python):
    choose(dialog, multi_dataset, tmp_path)
    fusion = dialog.fusion
    assert fusion.active() and not fusion.reason.isVisibleTo(dialog)
    assert "Sources: images (10 bands), s1 (2 bands × 3 dates), dem (1 band)" in \
        dialog.dataset_summary_text()
    models = dialog.models
    assert names(fusion.fusion) == [n for n, _ in choice_list(models, "fusion_levels")]
    assert names(fusion.method) == [n for n, _ in choice_list(models, "fusion_methods")]
    assert names(fusion.temporal) == [n for n, _ in choice_list(models, "temporal_modes")]
    assert list(fusion.rows) == ["images", "s1", "dem"]

    # early fusion: one model, no streams; a time series is used, so its mode applies
    fusion.set_values({"model.fusion": "early", "model.fusion_method": "film"})
    assert fusion.fusion.isEnabled() and fusion.temporal.isEnabled()
    assert not fusion.method.isEnabled() and not fusion.rows["s1"].encoder.isEnabled()
    early = train_job.flatten(dialog.job())
    assert early["model.stream_encoders"] is None and early["optim.fusion_lr"] is None
    assert early["model.fusion_method"] == "concat", "a method that does not apply: the default"
    fusion.set_values({"model.temporal": "utae"})
    dialog.form.set_values({"model.architecture": "FPN"})
    dialog.panel.run_button.click()
    assert "A temporal network (utae) in early fusion decodes with a U-Net, not FPN" in \
        dialog.panel.message_text() and dialog.panel.runner is None
    dialog.form.set_values({"model.architecture": "Unet"})

    # mid fusion of images and s1: a method, and per-stream encoders and learning rates
    fusion.rows["dem"].use.setChecked(False)
    fusion.set_values({"model.fusion": "mid", "model.fusion_method": "attention",
                       "model.temporal": "utae"})
    assert fusion.method.isEnabled() and fusion.fusion_lr.isEnabled()
    assert fusion.rows["s1"].encoder.isEnabled() and not fusion.rows["dem"].encoder.isEnabled()
    fusion.rows["s1"].encoder.setCurrentIndex(fusion.rows["s1"].encoder.findData("resnet18"))
    fusion.rows["s1"].lr.setText("5e-4")
    fusion.fusion_lr.setText("0.002")
    job = dialog.job()
    assert job["data"]["sources"] == ["images", "s1"]
    assert {k: job["model"][k] for k in ("fusion", "fusion_method", "temporal",
                                         "stream_encoders")} == {
        "fusion": "mid", "fusion_method": "attention", "temporal": "utae",
        "stream_encoders": {"s1": "resnet18"}}
    assert job["optim"]["stream_lr"] == {"s1": 0.0005} and job["optim"]["fusion_lr"] == 0.002

    saved = tmp_path / "job.json"
    dialog.save_job(str(saved))
    started = engine_accepts(engine_python, saved)
    assert started["type"] == "started", started
    resolved = train_job.flatten(started["job"])
    flat = train_job.flatten(job)
    assert {k: resolved[k] for k in flat if k.startswith(FUSION_KEYS)} == \
        {k: v for k, v in flat.items() if k.startswith(FUSION_KEYS)}, "the engine read them"
    dialog.apply_preset("quick_test")
    fusion.set_values({"model.fusion": "late", "data.sources": ["s1", "dem"],
                       "optim.fusion_lr": None})
    assert dialog.job() != job
    dialog.load_job(str(saved))
    assert dialog.job() == job, "load(save(job)) round-trips the fusion keys"

    for row in fusion.rows.values():
        row.use.setChecked(False)
    dialog.panel.run_button.click()
    assert "Tick at least one source the model uses" in dialog.panel.message_text()
    assert dialog.panel.runner is None


def test_one_time_series_offers_only_the_temporal_choice(dialog, single_dataset, tmp_path):
    bands = json.loads((single_dataset / "dataset.json").read_text())["band_names"]
    dataset = described(tmp_path, single_dataset,
                        {"images": {**entry(bands, S1_DATES), "resampling": "none"}})
    choose(dialog, dataset, tmp_path)
    fusion = dialog.fusion
    assert fusion.active() and list(fusion.rows) == ["images"]
    assert fusion.temporal.isEnabled() and not fusion.fusion.isEnabled()
    assert not fusion.rows["images"].use.isEnabled(), "nothing to choose from"
    fusion.set_values({"model.temporal": "unet3d"})
    job = train_job.flatten(dialog.job())
    assert job["model.temporal"] == "unet3d" and job["data.sources"] == ["images"]
