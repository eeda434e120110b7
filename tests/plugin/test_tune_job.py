"""The search job without widgets (satseg_plugin.core.tune_job) and the space table that feeds it
(a real SpaceTable in headless QGIS): rows → the `satseg tune` contract's `space` JSON, the rows
the engine would refuse with their message, presets, and trial events → the trials table."""

from __future__ import annotations

import pytest

from satseg_plugin.core import tune_job, tune_results
from satseg_plugin.core.layers import InputError
from satseg_plugin.core.tune_job import SpaceRow

BASE = {"dataset": "/data/ds", "output_dir": "/data/ds/training", "epochs": 3,
        "batch_size": 4, "model": {"architecture": "custom_unet", "depth": 2},
        "optim": {"lr": 0.001}, "resume": "/data/ds/training/last.pt"}


@pytest.mark.parametrize("row, spec", [
    (SpaceRow("optim.lr", "log_float", "1e-4", "1e-2", enabled=True),
     {"type": "log_float", "low": 1e-4, "high": 1e-2}),
    (SpaceRow("loss.label_smoothing", "float", "0", "0,2", enabled=True),
     {"type": "float", "low": 0.0, "high": 0.2}),
    (SpaceRow("batch_size", "int", "4", "16", "4", enabled=True),
     {"type": "int", "low": 4, "high": 16, "step": 4}),
    (SpaceRow("model.base_width", "int", "8", "32", enabled=True),
     {"type": "int", "low": 8, "high": 32}),
    (SpaceRow("model.encoder", "choice", choices="resnet18, resnet34", enabled=True),
     {"type": "choice", "choices": ["resnet18", "resnet34"]}),
    (SpaceRow("augment.enabled", "choice", choices="true,False", enabled=True),
     {"type": "choice", "choices": [True, False]}),
    (SpaceRow("batch_size", "choice", choices="4, 8, 0.5", enabled=True),
     {"type": "choice", "choices": [4, 8, 0.5]}),
])
def test_each_row_kind_gives_the_contracts_json(row, spec):
    specs, errors = tune_job.space([row, SpaceRow("optim.weight_decay", "log_float", "-1", "1")])
    assert errors == {}, "an unticked row is not checked"
    assert specs == {row.key: spec}
    assert type(specs[row.key].get("low", 0)) is type(spec.get("low", 0)), "int stays int"


@pytest.mark.parametrize("row, words", [
    (SpaceRow("optim.lr", "float", "0.1", "0.01", enabled=True), ["low end (0.1)", "swap"]),
    (SpaceRow("optim.lr", "log_float", "0", "1e-2", enabled=True), ["log range", "above 0"]),
    (SpaceRow("optim.lr", "log_float", "-1e-3", "1e-2", enabled=True), ["log range"]),
    (SpaceRow("model.encoder", "choice", choices=" , ", enabled=True), ["no choices"]),
    (SpaceRow("model.encoder", "choice", choices="a, b, a", enabled=True), ["twice"]),
    (SpaceRow("batch_size", "int", "4", "16", "0", enabled=True), ["step", "1 or more"]),
    (SpaceRow("batch_size", "int", "4.5", "16", enabled=True), ["'4.5' is not a number"]),
    (SpaceRow("optim.lr", "float", "", "1", enabled=True), ["low end", "not a number"]),
    (SpaceRow("optim.lr", "float", "0", "lots", enabled=True), ["high end 'lots'"]),
])
def test_each_invalid_row_gets_its_message(row, words):
    specs, errors = tune_job.space([row])
    assert specs == {} and list(errors) == [row.key]
    for word in words:
        assert word in errors[row.key]
    with pytest.raises(tune_job.RowError) as caught:
        tune_job.build_job(BASE, [row], {}, "/tmp/search")
    assert caught.value.key == row.key and errors[row.key] in str(caught.value)


@pytest.mark.parametrize("preset, keys", [
    ("regularisation", ["optim.lr", "optim.weight_decay", "loss.label_smoothing"]),
    ("architecture", ["model.architecture", "model.encoder"]),
    ("loss", ["loss.name", "loss.class_weights", "data.class_balanced"]),
    ("augmentation", ["augment.enabled", "augment.flips", "augment.rotate90",
                      "augment.probability"]),
])
def test_presets_tick_their_rows_in_the_table(qgis_app, preset, keys):
    from satseg_plugin.gui.tune_space import SpaceTable

    table = SpaceTable()
    table.set_row(SpaceRow("batch_size", "int", "2", "8", enabled=True))
    table.apply_preset(preset)
    assert table.enabled_keys() == keys, "exactly the preset's rows"
    specs, errors = tune_job.space(table.rows())
    assert errors == {} and list(specs) == keys, "a preset is a valid space as it is"
    assert all(s["type"] in tune_job.KINDS for s in specs.values())
    table.deleteLater()


def test_the_table_shows_the_problem_on_the_row_and_clears_it_once_fixed(qgis_app):
    from satseg_plugin.gui.tune_space import SpaceTable

    table = SpaceTable()
    table.set_row(SpaceRow("optim.lr", "log_float", "0", "1e-2", enabled=True))
    table.set_row(SpaceRow("model.encoder", "choice", choices="", enabled=True))
    errors = table.check()
    assert set(errors) == {"optim.lr", "model.encoder"}
    assert "log range" in table.problem("optim.lr")
    assert "no choices" in table.problem("model.encoder")
    assert table.problem("batch_size") == ""
    row = table.keys.index("optim.lr")
    table.item(row, 2).setText("1e-5")  # the user fixes the low end in its cell
    assert table.problem("optim.lr") == "" and table.problem("model.encoder")
    table.deleteLater()


def test_the_job_keeps_the_base_job_and_adds_space_search_and_output():
    rows = [SpaceRow("optim.lr", "log_float", "1e-4", "1e-2", enabled=True),
            SpaceRow("model.encoder", "choice", choices="resnet18", enabled=False)]
    job = tune_job.build_job(BASE, rows, {"trials": 2, "pruner": "none"}, "/tmp/search")
    assert job["output_dir"] == "/tmp/search" and "resume" not in job
    assert {k: job[k] for k in ("dataset", "epochs", "batch_size", "model", "optim")} == \
        {k: BASE[k] for k in ("dataset", "epochs", "batch_size", "model", "optim")}
    assert job["space"] == {"optim.lr": {"type": "log_float", "low": 1e-4, "high": 1e-2}}
    assert job["search"] == {**tune_job.SEARCH_DEFAULTS, "trials": 2, "pruner": "none"}
    assert tune_job.base_of(job) == {k: v for k, v in BASE.items()
                                     if k not in ("output_dir", "resume")}
    shown = tune_job.rows_from_space(job["space"])
    assert [r.key for r in shown if r.enabled] == ["optim.lr"]
    assert tune_job.space(shown)[0] == job["space"], "a saved job's space shows as it was"


@pytest.mark.parametrize("base, rows, search, output, words", [
    ({}, [SpaceRow("optim.lr", "float", "0", "1", enabled=True)], {}, "/tmp/s", ["dataset"]),
    (BASE, [SpaceRow("optim.lr", "float", "0", "1", enabled=True)], {}, " ", ["output folder"]),
    (BASE, [SpaceRow("optim.lr", "float", "0", "1")], {}, "/tmp/s", ["Nothing to search"]),
    (BASE, [SpaceRow("optim.lr", "float", "0", "1", enabled=True)],
     {"trials": 0, "timeout_s": 0}, "/tmp/s", ["budget"]),
    (BASE, [SpaceRow("optim.lr", "log_float", "1e-4", "1", enabled=True)],
     {"sampler": "grid"}, "/tmp/s", ["grid", "optim.lr"]),
    ({**BASE, "kfold": {"folds": 5}}, [SpaceRow("optim.lr", "float", "0", "1", enabled=True)],
     {}, "/tmp/s", ["cross-validation folds to 0"]),
])
def test_jobs_the_engine_would_refuse_are_refused_with_the_fix(base, rows, search, output, words):
    with pytest.raises(InputError) as caught:
        tune_job.build_job(base, rows, search, output)
    for word in words:
        assert word in str(caught.value)


def trial_event(number, state, value, best_number, best_value, **params):
    return {"type": "metric", "stage": "tune", "split": "trial", "epoch": number,
            "values": {} if value is None else {"value": value},
            "trial": {"number": number, "state": state, "value": value, "params": params,
                      "duration_s": 12.5, "best_number": best_number, "best_value": best_value}}


def test_trial_events_fill_the_table_the_best_and_the_current_trial():
    log = tune_results.TrialLog()
    assert log.add({"type": "progress", "stage": "train", "done": 3, "total": 10,
                    "unit": "batches", "trial": 0}) is None
    assert (log.current, log.batches) == (0, (3, 10))
    log.add({"type": "metric", "stage": "train", "epoch": 1, "split": "validation",
             "values": {"miou": 0.3}, "trial": 0})
    assert log.epoch == 1
    first = log.add(trial_event(0, "COMPLETE", 0.41, 0, 0.41, **{"optim.lr": 0.002}))
    assert first.value == 0.41 and log.current is None and log.best() is first
    log.add(trial_event(1, "PRUNED", 0.2, 0, 0.41, **{"optim.lr": 0.0001}))
    log.add(trial_event(2, "FAIL", None, 0, 0.41, **{"optim.lr": 0.05}))
    assert [(t.number, t.state, t.value) for t in log.rows()] == [
        (0, "COMPLETE", 0.41), (1, "PRUNED", 0.2), (2, "FAIL", None)]
    assert tune_results.format_params(log.rows()[0].params) == "optim.lr=0.002"
    best = tune_results.best_job("/tmp/nowhere", BASE, log.best(), {})
    assert best["optim"] == {"lr": 0.002} and best["epochs"] == 3
    assert best["output_dir"] == "/tmp/nowhere/best_run"
