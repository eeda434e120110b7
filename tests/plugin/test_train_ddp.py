"""Training on all GPUs of the machine: the device choice (shown with 2 GPUs or more, hidden
with none, as here), the torchrun command line, and a real two-process run started by the
plugin's EngineRunner (gloo on the CPU, since this machine has no GPU)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qgis.core import QgsSettings

from satseg_plugin.core import settings
from satseg_plugin.core.engine_command import ALL_GPUS, LAUNCH_KEY, engine_arguments, split_launch
from satseg_plugin.core.engine_runner import EngineRunner, RunState
from satseg_plugin.gui.train_dialog import TrainDialog

RUN_TIMEOUT_MS = 150000
TINY = {"model.architecture": "custom_unet", "model.depth": 2, "model.base_width": 8,
        "batch_size": 2, "device": "cpu", "epochs": 1, "data.num_workers": 0}


@pytest.fixture
def gpu_setting(saved_settings) -> None:
    before = QgsSettings().value(settings.CUDA_DEVICES_KEY, None)
    settings.set_cuda_device_count(0)  # what doctor reports on this machine
    yield
    if before is None:
        QgsSettings().remove(settings.CUDA_DEVICES_KEY)
    else:
        QgsSettings().setValue(settings.CUDA_DEVICES_KEY, before)


@pytest.fixture
def dialog(gpu_setting, train_dialog, sample_dataset, tmp_path):
    dialog = train_dialog  # built after gpu_setting: it reads the GPU count when it opens
    dialog.confirm_replace = lambda folder: True
    dialog.dataset.setFilePath(str(sample_dataset / "dataset"))
    dialog.output.setFilePath(str(tmp_path / "run"))
    dialog.adapt.setChecked(False)
    dialog.form.set_values(TINY)
    return dialog


def _choices(dialog: TrainDialog) -> list:
    combo = dialog.form.widgets["device"]
    return [combo.itemData(i) for i in range(combo.count())]


def test_torchrun_command_line_for_two_gpus() -> None:
    assert engine_arguments("train", "/jobs/job.json", 2) == [
        "-u", "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
        "-m", "satseg_engine", "train", "--config", "/jobs/job.json", "--progress", "json"]
    assert engine_arguments("train", "/jobs/job.json") == [
        "-u", "-m", "satseg_engine", "train", "--config", "/jobs/job.json", "--progress", "json"]
    job, processes = split_launch({"epochs": 3, LAUNCH_KEY: 4})
    assert job == {"epochs": 3} and processes == 4
    assert split_launch({"epochs": 3}) == ({"epochs": 3}, 1)


def test_all_gpus_is_hidden_without_gpus_and_offered_with_two(dialog) -> None:
    assert ALL_GPUS not in _choices(dialog)
    assert dialog.form.processes() == 1
    dialog.form.set_gpu_count(2)
    assert ALL_GPUS in _choices(dialog)
    dialog.form.set_values({"device": ALL_GPUS})
    assert dialog.form.processes() == 2
    job = dialog.job()
    assert job["device"] == "cuda" and LAUNCH_KEY not in job  # the job file runs anywhere
    dialog.form.set_gpu_count(0)
    assert ALL_GPUS not in _choices(dialog)
    assert dialog.form.values()["device"] == "auto"


def test_the_runner_starts_two_ranks_through_torchrun(dialog, qtbot, tmp_path) -> None:
    """The same path as "all GPUs", on the CPU: rank 0's events reach the plugin."""
    job = dialog.job()
    job = {**job, LAUNCH_KEY: 2, "data": {**job["data"], "steps_per_epoch": 2}}
    runner = EngineRunner(settings.engine_python())
    events: list = []
    runner.received.connect(events.append)
    with qtbot.waitSignal(runner.finished, timeout=RUN_TIMEOUT_MS):
        runner.start("train", job)
    assert runner.state == RunState.DONE, (runner.failure, runner.stderr_tail())
    kinds = [e["type"] for e in events]
    assert kinds.count("started") == 1 and kinds[-1] == "done"
    train = [e for e in events if e["type"] == "metric" and e.get("step")]
    assert [e["step"] for e in train] == sorted({e["step"] for e in train})  # one rank's
    out = Path(job["output_dir"])
    assert (out / "last.pt").is_file()
    assert json.loads((out / "metrics.json").read_text())["summary"]["epochs_run"] == 1
