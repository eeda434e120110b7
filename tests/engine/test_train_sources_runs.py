"""Training runs on several sources and dates (tiny dataset, tiny networks, CPU): every fusion
level and temporal mode trains and reloads, per-stream learning rates, the two-stage schedule,
resume and `satseg inspect`."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
import torch
from dataset_factory import make_multisource_dataset

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import SatsegError
from satseg_engine.core.events import Events
from satseg_engine.core.human import format_table
from satseg_engine.core.jobs import load_job
from satseg_engine.data.patch_data import (
    MultiSourceDataset,
    label_lookup,
    list_items,
    read_dataset_info,
)
from satseg_engine.data.sources import dataset_sources
from satseg_engine.models import checkpoint
from satseg_engine.training import auto
from satseg_engine.training.loop import StepContext, train_epoch
from satseg_engine.training.options import TrainJob
from satseg_engine.training.setup import (
    build_model,
    build_optimizer,
    make_loader,
    make_setup,
    set_frozen,
)

TINY = {"architecture": "custom_unet", "depth": 2, "base_width": 4, "dropout": 0.0}
S2 = ["2023-04-10", "2023-07-15", None]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def multi(tmp_path_factory) -> Path:
    return make_multisource_dataset(tmp_path_factory.mktemp("ms") / "patches",
                                    counts={"train": 8, "validation": 2, "test": 2})


def _job(dataset: Path, out: Path, model: dict | None = None, **extra) -> dict:
    job = {"dataset": str(dataset), "output_dir": str(out), "epochs": 2, "batch_size": 4,
           "model": {**TINY, **(model or {})}, "augment": {"noise": 0.05},
           "data": {"num_workers": 0, "normalization": "standardize",
                    "sources": ["s2", "s1"]},
           "optim": {"lr": 0.01}, "log_every_steps": 1}
    for key, value in extra.items():
        job[key] = {**job[key], **value} if isinstance(job.get(key), dict) else value
    return job


def _run(job: dict) -> tuple[dict, list[dict]]:
    stream = io.StringIO()
    summary = run_job("train", job, Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


def _batch(dataset: Path, names: tuple[str, ...] = ("s2", "s1")) -> dict:
    info = read_dataset_info(dataset)
    sources = [s for s in dataset_sources(info) if s.name in names]
    data = MultiSourceDataset(list_items(dataset, "test"), sources,
                              {s.name: s.normalization("standardize") for s in sources},
                              label_lookup(info["classes"], 255), 255, None)
    return next(iter(torch.utils.data.DataLoader(data, batch_size=2)))[0]


@pytest.mark.parametrize(("model", "extra"), [
    ({"fusion": "mid", "fusion_method": "film", "stream_encoders": {"s1": "custom"}},
     {"epochs": 2, "optim": {"lr": 0.01, "freeze_encoder_epochs": 1}}),   # two-stage schedule
    ({"fusion": "late"}, {}),
    ({"fusion": "mid", "temporal": "utae"}, {}),
    ({"fusion": "early", "temporal": "unet3d"}, {"channels_last": True}),
], ids=["mid-film", "late", "utae", "unet3d"])
def test_every_fusion_level_and_temporal_mode_trains_and_reloads(multi, tmp_path, model, extra):
    out = tmp_path / "out"
    summary, _events = _run(_job(multi, out, model, **{"epochs": 1, **extra}))
    assert summary["epochs_run"] == extra.get("epochs", 1) and summary["test"] is not None
    loaded, header = checkpoint.load_model(out / "best_iou.pt")
    assert [s["name"] for s in header["sources"]] == ["s2", "s1"]
    s2, s1 = header["sources"]
    assert (s2["dates"], s2["slots"], s2["band_names"]) == (S2, 3, ["B8", "B11"])
    assert (s1["dates"], s1["slots"], s1["nodata"]) == ([], 1, None)
    assert s2["max_nodata_frac"] == 0.5 and s2["resampling"] == "bilinear"
    assert s2["normalization"]["method"] == "standardize"
    assert s2["normalization"]["bands"][0]["mean"] != s1["normalization"]["bands"][0]["mean"]
    assert header["in_channels"] == 3 * 2 + 2
    assert header["band_names"][:2] == ["s2:2023-04-10 B8", "s2:2023-04-10 B11"]
    assert header["band_names"][-2:] == ["s1:VV", "s1:VH"]
    assert header["multisource"]["fusion"] == model["fusion"]
    assert header["multisource"]["temporal"] == model.get("temporal", "stack")
    if model["fusion"] != "early":
        assert set(header["multisource"]["stream_encoders"]) == {"s2", "s1"}
    logits = loaded(_batch(multi))
    assert logits.shape == (2, 3, 32, 32) and torch.isfinite(logits).all()
    assert "source s2: 2 bands" in (out / "model_summary.txt").read_text()


@pytest.fixture(scope="module")
def early_run(multi, tmp_path_factory) -> Path:
    """Early fusion of every source of the dataset (data.sources left empty), one epoch."""
    out = tmp_path_factory.mktemp("early") / "out"
    _run(_job(multi, out, data={"sources": []}, epochs=1))
    return out


def test_early_fusion_of_all_sources_by_default_and_resume(multi, early_run, tmp_path):
    loaded, header = checkpoint.load_model(early_run / "last.pt")
    assert [s["name"] for s in header["sources"]] == ["images", "s2", "s1"]
    assert header["in_channels"] == 3 + 6 + 2 and header["band_names"][0] == "images:B2"
    assert header["normalization"] == header["sources"][0]["normalization"], "legacy readers"
    assert header["multisource"] == {"fusion": "early", "fusion_method": "concat",
                                     "temporal": "stack", "stream_encoders": {}}
    batch = _batch(multi, ("images", "s2", "s1"))
    assert loaded(batch).shape == (2, 3, 32, 32)
    copy = tmp_path / "out"
    shutil.copytree(early_run, copy)
    summary, events = _run(_job(multi, copy, data={"sources": []}, epochs=2,
                                resume=str(copy / "last.pt")))
    assert summary["epochs_run"] == 2
    epochs = {e["epoch"] for e in events if e["type"] == "metric" and e["split"] == "train"}
    assert epochs == {2}
    with pytest.raises(SatsegError, match="cannot resume") as caught:
        _run(_job(multi, tmp_path / "other", epochs=3, resume=str(copy / "last.pt")))
    assert caught.value.code == "bad_resume"


def test_inspect_lists_the_sources(early_run) -> None:
    summary = run_job("inspect", {"checkpoint": str(early_run / "last.pt")},
                      Events(io.StringIO()))
    assert [s["name"] for s in summary["sources"]] == ["images", "s2", "s1"]
    assert summary["sources"][1] == {"name": "s2", "dates": S2, "bands": ["B8", "B11"],
                                     "normalization": "standardize"}
    assert summary["multisource"]["fusion"] == "early"
    table = format_table(summary)
    assert "sources:" in table and "2023-07-15" in table and "B11" in table


def _setup(multi: Path, **extra):
    job = load_job(TrainJob, _job(multi, multi.parent / "unused", **extra))
    info = read_dataset_info(multi)
    # what fit() does first: the job's "auto" values chosen for this dataset
    job, _ = auto.resolve(job, auto.facts_from(info, len(list_items(multi, "train")), job,
                                               "cpu", 2))
    events = Events(io.StringIO())
    setup = make_setup(job, info, events)
    torch.manual_seed(0)
    return job, setup, build_model(job, setup)


def test_stream_learning_rates(multi) -> None:
    job, setup, model = _setup(multi, model={"fusion": "mid"},
                                  optim={"lr": 0.01, "encoder_lr": 0.002, "fusion_lr": 0.003,
                                         "stream_lr": {"s2": 0.005}})
    optimizer = build_optimizer(job, model, setup.multi)
    lrs = {group["name"]: group["lr"] for group in optimizer.param_groups}
    assert lrs == {"stream:s2": 0.005, "stream:s1": 0.002, "fusion": 0.003, "decoder": 0.01}
    assert optimizer.param_groups[-1]["name"] == "decoder", "current_lr reports the decoder"
    counted = sum(p.numel() for g in optimizer.param_groups for p in g["params"])
    assert counted == sum(p.numel() for p in model.parameters())


def test_streams_frozen_for_the_first_stage_then_trained(multi) -> None:
    job, setup, model = _setup(multi, model={"fusion": "mid"})
    optimizer = build_optimizer(job, model, True)
    loader = make_loader(list_items(multi, "train"), job, setup, train=True,
                         events=Events(io.StringIO()))
    ctx = StepContext(torch.device("cpu"), None, False, setup.task, 0.5, 3, 255)
    loss = torch.nn.CrossEntropyLoss(ignore_index=255)
    scaler = torch.amp.GradScaler("cpu", enabled=False)

    def snapshot() -> dict[str, dict[str, torch.Tensor]]:
        return {name: {k: v.clone() for k, v in module.state_dict().items()}
                for name, module in [("streams", model.streams), ("head", model.head)]}

    def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
        return all(torch.equal(a[k], b[k]) for k in a)

    for frozen in (True, False):
        before = snapshot()
        model.train()
        set_frozen(model, frozen, multi=True)
        train_epoch(model, loader, loss, optimizer, scaler, ctx, max_steps=2, grad_clip=1.0,
                    after_step=lambda step, value: None)
        after = snapshot()
        assert same(before["streams"], after["streams"]) is frozen, "weights and BN stats"
        assert not same(before["head"], after["head"])
