"""Building an engine environment: the planned commands, and a real venv + pip run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from satseg_plugin.core import engine_setup, settings
from satseg_plugin.core.engine_setup import CPU_TORCH_INDEX, plan_setup, venv_python
from satseg_plugin.gui.setup_dialog import SetupDialog, default_venv_dir
from satseg_plugin.paths import engine_source_dir

ENGINE_SRC = Path("/plugin/engine")
PIP = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input",
       "--progress-bar", "off"]


@pytest.mark.parametrize("gpu, install_deps, torch_args, engine_flags", [
    (True, True, ["torch", "torchvision"], []),
    (False, True, ["--index-url", CPU_TORCH_INDEX, "torch", "torchvision"], []),
    (False, False, None, ["--no-deps", "--no-build-isolation"]),
    (True, False, None, ["--no-deps", "--no-build-isolation"]),
])
def test_plan_setup_commands(gpu, install_deps, torch_args, engine_flags, tmp_path):
    venv = tmp_path / "venv"
    python = str(venv / "bin" / "python")
    constraints = ["-c", str(ENGINE_SRC / "constraints.txt")]
    steps = plan_setup(venv, "/usr/bin/python3", ENGINE_SRC, gpu=gpu, install_deps=install_deps)
    commands = [[step.program, *step.args] for step in steps]
    if gpu and install_deps:  # CuPy last, by the engine's script (exit 0 when pip fails)
        script = venv / "satseg-engine-src" / "satseg_engine" / "core" / "cupy_wheel.py"
        assert commands.pop() == [python, str(script), *PIP[3:], *constraints]
        assert "optional" in steps.pop().description
    assert commands[0] == ["/usr/bin/python3", "-m", "venv", str(venv)]
    if install_deps:
        assert commands[1] == [python, *PIP, "--upgrade", "pip"]
        assert commands[2] == [python, *PIP, *constraints, *torch_args]
    else:
        assert commands[1] == [python, *PIP, *constraints, "setuptools>=68", "wheel"]
    copy = commands[-2]
    assert copy[:2] == [python, "-c"] and copy[3:] == [str(ENGINE_SRC),
                                                       str(venv / "satseg-engine-src")]
    assert commands[-1] == [python, *PIP, *constraints, *engine_flags,
                            str(venv / "satseg-engine-src")]
    assert len(steps) == (5 if install_deps else 4)
    assert all(step.description for step in steps)


def test_paths_of_a_venv_and_the_defaults(qgis_app):
    expected = ("Scripts", "python.exe") if os.name == "nt" else ("bin", "python")
    assert venv_python("/x/venv") == Path("/x/venv", *expected)
    assert (engine_source_dir() / "pyproject.toml").is_file()
    assert default_venv_dir().endswith(os.path.join("satseg", "engine-venv"))


@pytest.mark.parametrize("content, problem", [
    (None, ""),                       # absent: created
    ("empty", ""),                    # an empty folder
    ("venv", ""),                     # an existing venv is reused
    ("other", "is not empty and is not a virtual environment"),
    ("file", "is not a folder"),
])
def test_venv_dir_problem(content, problem, tmp_path):
    target = tmp_path / "env"
    if content == "file":
        target.write_text("x")
    elif content is not None:
        target.mkdir()
        if content == "venv":
            (target / "pyvenv.cfg").write_text("home = /usr/bin\n")
        if content == "other":
            (target / "notes.txt").write_text("mine")
    found = engine_setup.venv_dir_problem(target)
    assert (problem in found) if problem else found == ""


def test_find_base_python_gives_a_real_python_310_or_newer():
    base = engine_setup.find_base_python()
    if base is None:
        pytest.skip("no Python >= 3.10 on this machine")
    version, real = engine_setup.probe_python(base)
    assert version >= (3, 10) and os.path.isabs(real)
    assert engine_setup.probe_python("/bin/false") is None
    assert engine_setup.probe_python("/no/such/python") is None
    assert engine_setup.find_base_python(candidates=("no-such-python-3",)) is None
    assert isinstance(engine_setup.detect_gpu(), bool)


def base_python_or_skip() -> str:
    base = engine_setup.find_base_python()
    if base is None:
        pytest.skip("no Python >= 3.10 to build a venv from")
    return base


def test_setup_dialog_builds_a_working_engine_venv(qgis_app, qtbot, tmp_path,
                                                   saved_settings):
    """The real steps (venv, copy, pip install --no-deps) through the dialog's QProcess chain."""
    venv = tmp_path / "engine venv"  # a space in the path, as in many user folders
    dialog = SetupDialog(venv_dir=str(venv), detect=False)
    qtbot.addWidget(dialog)
    dialog.base_edit.setText(base_python_or_skip())
    dialog.deps_check.setChecked(False)
    with qtbot.waitSignal(dialog.setup_finished, timeout=120000) as blocker:
        dialog.start_button.click()
    assert blocker.args == [True], dialog.output.toPlainText()[-3000:]
    assert dialog.state == "succeeded" and dialog.progress.value() == 4
    python = str(venv_python(venv))
    assert settings.engine_python() == python
    assert not dialog.check_button.isHidden()
    with qtbot.waitSignal(dialog.check_requested) as requested:
        dialog.check_button.click()
    assert requested.args == [python]
    proc = subprocess.run([python, "-m", "satseg_engine", "--help"], capture_output=True,
                          text=True, timeout=60, env={"PATH": os.environ.get("PATH", "")})
    assert proc.returncode == 0, proc.stderr
    assert "doctor" in proc.stdout
    assert str(engine_source_dir()) not in proc.stdout
    assert not (engine_source_dir() / "build").exists(), "pip must not build in the plugin dir"


def test_setup_dialog_cancel_kills_the_running_step(qgis_app, qtbot, tmp_path):
    dialog = SetupDialog(venv_dir=str(tmp_path / "venv"), detect=False)
    qtbot.addWidget(dialog)
    dialog.base_edit.setText(sys.executable)
    dialog.deps_check.setChecked(False)
    dialog.start()
    assert dialog.state == "running" and dialog.cancel_button.isEnabled()
    with qtbot.waitSignal(dialog.setup_finished, timeout=10000) as blocker:
        dialog.cancel_button.click()
    assert blocker.args == [False] and dialog.state == "cancelled"
    assert dialog.process is None and dialog.start_button.isEnabled()
    assert "Cancelled" in dialog.step_label.text()


def test_setup_dialog_refuses_a_folder_that_is_not_a_venv(qgis_app, qtbot, tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "holiday.jpg").write_bytes(b"x")
    dialog = SetupDialog(venv_dir=str(tmp_path / "photos"), detect=False)
    qtbot.addWidget(dialog)
    dialog.base_edit.setText(sys.executable)
    with qtbot.waitSignal(dialog.setup_finished, timeout=5000) as blocker:
        dialog.start()
    assert blocker.args == [False] and dialog.state == "failed"
    assert "is not empty and is not a virtual environment" in dialog.step_label.text()
    assert (tmp_path / "photos" / "holiday.jpg").exists()
