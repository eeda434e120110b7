"""`satseg tune` jobs: the search space in its command-line and JSON forms, and every bad job
refused before any training, naming the key and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dataset_factory import make_dataset

from satseg_engine.core.errors import JobError, SatsegError
from satseg_engine.core.jobs import job_from_args, load_job
from satseg_engine.search.options import TuneJob
from satseg_engine.search.space import parse_spec
from satseg_engine.search.study import open_storage, open_study


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("ds") / "patches", patch_size=32,
                        counts={"train": 4, "validation": 2, "test": 0})


def _job(dataset: Path, out: Path, space: dict, **extra) -> dict:
    return {"schema": 1, "dataset": str(dataset), "output_dir": str(out), "space": space,
            **extra}


@pytest.mark.parametrize("text, expected", [
    ("float:0.1:0.5", {"type": "float", "low": 0.1, "high": 0.5}),
    ("log_float:1e-4:1e-2", {"type": "log_float", "low": 1e-4, "high": 1e-2}),
    ("int:4:16:4", {"type": "int", "low": 4, "high": 16, "step": 4}),
    ("int:1:3", {"type": "int", "low": 1, "high": 3, "step": 1}),
    ("choice:resnet18,resnet34", {"type": "choice", "choices": ["resnet18", "resnet34"]}),
])
def test_command_line_specs(text, expected):
    assert parse_spec("k", text).to_dict() == expected


@pytest.mark.parametrize("raw, words", [
    ("float:0.5:0.1", "low 0.5 is above high 0.1"),
    ("log_float:0:1", "needs low > 0"),
    ("log_float:-1:1", "needs low > 0"),
    ("int:1.5:4", "whole numbers"),
    ("int:1:8:0", "step must be >= 1"),
    ("float:a:1", "'a' is not a number"),
    ("float:1", "must be float:LOW:HIGH"),
    ("choice:", "no choices"),
    ("choise:a,b", "unknown spec type 'choise'"),
    ("choice:a,a", "listed twice"),
    ({"type": "float", "low": 1}, "needs low and high"),
    ({"type": "choice", "choices": []}, "no choices"),
    ({"type": "choice", "choices": [[1, 2]]}, "strings, numbers or booleans"),
    ({"type": "float", "low": 0, "high": 1, "step": 2}, "has no step"),
    (3, "a string or an object"),
])
def test_bad_specs_name_the_key(raw, words):
    with pytest.raises(JobError) as caught:
        parse_spec("optim.lr", raw)
    assert caught.value.key == "space.optim.lr"
    assert words in caught.value.message and caught.value.hint


def test_the_command_line_and_the_job_file_give_the_same_job(dataset, tmp_path):
    config = tmp_path / "train.json"
    config.write_text(json.dumps({"schema": 1, "dataset": str(dataset),
                                  "output_dir": str(tmp_path / "out"), "epochs": 2}))
    flags = {"space": ["optim.lr=log_float:1e-4:1e-2", "batch_size=int:4:16:4",
                       "model.encoder=choice:resnet18,resnet34",
                       "augment.enabled=choice:true,false", "optim.weight_decay=float:0:0.1"],
             "search.trials": "12"}
    from_cli = job_from_args(TuneJob, config, flags)
    from_file = load_job(TuneJob, _job(dataset, tmp_path / "out", {
        "optim.lr": {"type": "log_float", "low": 1e-4, "high": 1e-2},
        "batch_size": {"type": "int", "low": 4, "high": 16, "step": 4},
        "model.encoder": {"type": "choice", "choices": ["resnet18", "resnet34"]},
        "augment.enabled": {"type": "choice", "choices": [True, False]},
        "optim.weight_decay": {"type": "float", "low": 0, "high": 0.1}},
        epochs=2, search={"trials": 12}))
    assert from_cli.to_dict() == from_file.to_dict()
    assert from_cli.search.trials == 12 and from_cli.epochs == 2
    # choices typed on a shell take the train key's own type
    assert from_cli.space["augment.enabled"]["choices"] == [True, False]


def test_numeric_choices_take_the_keys_type(dataset, tmp_path):
    job = job_from_args(TuneJob, None, {"dataset": str(dataset), "output_dir": str(tmp_path),
                                        "space": ["optim.lr=choice:1e-3,0.01",
                                                  "epochs=choice:2,auto"]})
    assert job.space["optim.lr"]["choices"] == [0.001, 0.01]
    assert job.space["epochs"]["choices"] == [2, "auto"]


@pytest.mark.parametrize("space, extra, key, words", [
    ({"optim.lrr": "float:0.1:0.2"}, {}, "space.optim.lrr", "did you mean optim.lr"),
    ({"model.stream_encoders": "choice:a"}, {}, "space.model.stream_encoders",
     "not a single value"),
    ({"data.sources": "choice:a"}, {}, "space.data.sources", "not a single value"),
    ({"dataset": "choice:a"}, {}, "space.dataset", "not a single value"),
    ({"optim": "choice:a"}, {}, "space.optim", "not a single value"),
    ({"model.encoder": "choice:resnet18,"}, {}, None, None),
    ({"loss.name": "choice:dice,focal_dicee"}, {}, "space.loss.name", "refuses 'focal_dicee'"),
    ({"optim.lr": "float:-1:0.1"}, {}, "space.optim.lr", "must be >= 0.0"),
    ({"batch_size": "float:4:16"}, {}, "space.batch_size", "not a float range"),
    ({"augment.enabled": "int:0:1"}, {}, "space.augment.enabled", "is not a number"),
    ({"optim.lr": "float:0.001:0.01"}, {"search": {"sampler": "grid"}}, "space.optim.lr",
     "grid sampler"),
    ({}, {}, "space", "empty"),
    ({"optim.lr": "float:0.001:0.01"}, {"resume": __file__}, "resume", "study"),
    ({"optim.lr": "float:0.001:0.01"}, {"kfold": {"folds": 3}}, "kfold.folds", "k-fold"),
    ({"optim.lr": "float:0.001:0.01"}, {"search": {"sampler": "anneal"}}, "search.sampler",
     "one of"),
    ({"optim.lr": "float:0.001:0.01"}, {"search": {"pruner": "asha"}}, "search.pruner",
     "one of"),
    ({"optim.lr": "float:0.001:0.01"}, {"search": {"metric": "validation.iou"}},
     "search.metric", "one of"),
    ({"optim.lr": "float:0.001:0.01"}, {"search": {"trials": 0}}, "search.trials",
     "no time budget"),
])
def test_bad_tune_jobs_are_refused_before_any_work(dataset, tmp_path, space, extra, key, words):
    data = _job(dataset, tmp_path / "out", space, **extra)
    if key is None:  # a valid job: the trailing comma is ignored
        assert load_job(TuneJob, data).space["model.encoder"]["choices"] == ["resnet18"]
        return
    with pytest.raises(JobError) as caught:
        load_job(TuneJob, data)
    assert caught.value.key == key and words in caught.value.message + str(caught.value.hint)
    assert not (tmp_path / "out").exists()


def test_grid_takes_choices_and_int_ranges(dataset, tmp_path):
    job = load_job(TuneJob, _job(dataset, tmp_path, {"batch_size": "int:2:6:2",
                                                     "loss.name": "choice:dice,ce"},
                                 search={"sampler": "grid"}))
    assert job.space["batch_size"] == {"type": "int", "low": 2, "high": 6, "step": 2}


def test_an_unreachable_storage_names_search_storage(dataset, tmp_path):
    with pytest.raises(SatsegError) as caught:
        open_storage(f"sqlite:///{tmp_path}/no/such/folder/study.db")
    assert caught.value.code == "storage_unreachable" and caught.value.key == "search.storage"
    with pytest.raises(SatsegError) as caught:
        open_storage("postgresql://nobody@127.0.0.1:9/none")
    assert caught.value.code == "storage_unreachable" and "search.storage" in caught.value.key


def test_a_study_refuses_a_different_base_job(dataset, tmp_path):
    import optuna

    space = {"optim.lr": "log_float:1e-4:1e-2"}
    storage = open_storage(f"sqlite:///{tmp_path}/study.db")
    first = load_job(TuneJob, _job(dataset, tmp_path / "out", space, batch_size=4))
    open_study(first, storage, optuna.samplers.RandomSampler())
    same_elsewhere = load_job(TuneJob, _job(dataset, tmp_path / "other", space, batch_size=4))
    open_study(same_elsewhere, storage, optuna.samplers.RandomSampler())  # output_dir may differ
    other = load_job(TuneJob, _job(dataset, tmp_path / "out", space, batch_size=8,
                                   optim={"weight_decay": 0.0}))
    with pytest.raises(SatsegError) as caught:
        open_study(other, storage, optuna.samplers.RandomSampler())
    assert caught.value.code == "tune_mismatch"
    assert "base_job.batch_size" in caught.value.message
    assert "base_job.optim.weight_decay" in caught.value.message
