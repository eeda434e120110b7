"""Creating an engine environment: a venv holding torch and the engine shipped with the plugin.

Pure logic (no widgets, no Qt): what to run, found and planned here; gui/setup_dialog.py runs the
steps one after another with QProcess and shows their output.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

MIN_PYTHON: Tuple[int, int] = (3, 10)
#: interpreter names tried in order: the system's default first, then the versions that torch,
#: rasterio and segmentation-models-pytorch all support
PYTHON_CANDIDATES: Tuple[str, ...] = ("python3", "python3.12", "python3.11", "python3.10",
                                      "python3.13", "python")
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
PIP_OPTIONS: Tuple[str, ...] = ("--disable-pip-version-check", "--no-input",
                                "--progress-bar", "off")
#: what `--no-build-isolation` needs inside the venv to build the engine's wheel
BUILD_TOOLS: Tuple[str, ...] = ("setuptools>=68", "wheel")
#: variables of QGIS's process that must not reach a base Python or pip
LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV",
                   "PYTHONEXECUTABLE", "__PYVENV_LAUNCHER__")
_PROBE = "import sys, venv; print('%d.%d' % sys.version_info[:2]); print(sys.executable)"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks `text` for `make transup` (context "satseg"); translated when shown."""
    return text



@dataclass(frozen=True)
class SetupStep:
    """One command of the setup: what it does (for the user), and the program with arguments."""

    description: str
    program: str
    args: Tuple[str, ...]

    def command_line(self) -> str:
        """The command as a user could paste it into a shell."""
        return " ".join(_quote(part) for part in (self.program, *self.args))


def _quote(part: str) -> str:
    return f'"{part}"' if (" " in part or not part) else part


def venv_python(venv_dir: "str | os.PathLike[str]") -> Path:
    """The interpreter inside a venv (``bin/python``, ``Scripts\\python.exe`` on Windows)."""
    if os.name == "nt":
        return Path(venv_dir) / "Scripts" / "python.exe"
    return Path(venv_dir) / "bin" / "python"


def clean_environment(environ: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """`environ` (default: this process's) without QGIS's Python variables, with UTF-8 I/O."""
    env = {name: value for name, value in (environ or os.environ).items()
           if name not in LEAKY_VARIABLES and not name.startswith("QGIS_")}
    env.update(PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8", PIP_NO_INPUT="1")
    return env


def probe_python(executable: str, timeout: float = 20.0) -> Optional[Tuple[Tuple[int, int], str]]:
    """((major, minor), real executable path) if `executable` runs and can create venvs."""
    try:
        result = subprocess.run([executable, "-c", _PROBE], capture_output=True, text=True,
                                timeout=timeout, env=clean_environment(), check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    try:
        version, real_path = result.stdout.strip().splitlines()[-2:]
        major, minor = version.split(".")
        return (int(major), int(minor)), real_path or executable
    except ValueError:
        return None


def _host_interpreter() -> Optional[str]:
    """QGIS's own interpreter on Windows/macOS (bundled: never a base for the engine)."""
    if platform.system() in ("Windows", "Darwin") and sys.executable:
        return os.path.realpath(sys.executable)
    return None


def find_base_python(candidates: Sequence[str] = PYTHON_CANDIDATES) -> Optional[str]:
    """A system Python >= 3.10 that can create venvs, or None if there is none.

    Returns the interpreter's own path (not a pyenv/launcher shim, which may resolve to another
    version in another folder)."""
    excluded = _host_interpreter()
    seen = set()
    for name in candidates:
        path = shutil.which(name)
        if not path or path in seen:
            continue
        seen.add(path)
        if excluded and os.path.realpath(path) == excluded:
            continue
        probe = probe_python(path)
        if probe is not None and probe[0] >= MIN_PYTHON:
            return probe[1]
    return None


def detect_gpu(timeout: float = 15.0) -> bool:
    """True when ``nvidia-smi -L`` runs and lists at least one GPU."""
    program = shutil.which("nvidia-smi")
    if not program:
        return False
    try:
        result = subprocess.run([program, "-L"], capture_output=True, text=True,
                                timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and any(line.startswith("GPU ")
                                          for line in result.stdout.splitlines())


def venv_dir_problem(venv_dir: "str | os.PathLike[str]") -> str:
    """Why `venv_dir` cannot receive the environment ("" when it can: absent, empty or a venv)."""
    path = Path(venv_dir)
    if not str(venv_dir).strip():
        return "no folder chosen for the environment"
    if path.exists() and not path.is_dir():
        return f"{path} exists and is not a folder"
    if path.is_dir() and any(path.iterdir()) and not (path / "pyvenv.cfg").is_file():
        return f"{path} is not empty and is not a virtual environment"
    return ""


def plan_setup(venv_dir: "str | os.PathLike[str]", base_python: str,
               engine_src: "str | os.PathLike[str]", gpu: bool,
               install_deps: bool = True) -> List[SetupStep]:
    """The commands that build an engine environment in `venv_dir`, in order.

    With `gpu` torch comes from PyPI (the CUDA build on Linux); without, from PyTorch's CPU wheel
    index (small, with a matching torchvision). torch and torchvision are pinned together by the
    engine's constraints file on every pip call. The engine sources are copied into the venv
    first, because pip builds a local project in place and the plugin folder may be read-only.
    `install_deps=False` installs only the engine (``--no-deps --no-build-isolation``, after
    the small build tools that needs): no PyTorch download, for tests and machines that bring
    the dependencies some other way. With `gpu` and the dependencies, a last step installs the
    CuPy wheel of torch's CUDA (`cupy_step`).
    """
    venv_dir = Path(venv_dir)
    engine_src = Path(engine_src)
    python = str(venv_python(venv_dir))
    constraints = str(engine_src / "constraints.txt")
    engine_copy = venv_dir / "satseg-engine-src"
    pip = ("-m", "pip", "install", *PIP_OPTIONS)
    steps = [SetupStep(QT_TRANSLATE_NOOP("satseg", "Create the virtual environment"),
                       base_python, ("-m", "venv", str(venv_dir)))]
    if install_deps:
        steps.append(SetupStep(QT_TRANSLATE_NOOP("satseg", "Upgrade pip"), python,
                               (*pip, "--upgrade", "pip")))
        if gpu:
            torch_title = QT_TRANSLATE_NOOP("satseg", "Install PyTorch (CUDA build)")
            torch_source: Tuple[str, ...] = ()
        else:
            torch_title = QT_TRANSLATE_NOOP("satseg", "Install PyTorch (CPU build)")
            torch_source = ("--index-url", CPU_TORCH_INDEX)
        steps.append(SetupStep(torch_title, python, (*pip, "-c", constraints, *torch_source,
                                                     "torch", "torchvision")))
    if not install_deps:
        # --no-build-isolation builds with the venv's own setuptools, which needs `wheel` (not
        # in a fresh venv) and setuptools >= 61 (older in Python 3.10's ensurepip): small
        # packages, from PyPI or the user's pip configuration (e.g. a local wheelhouse).
        steps.append(SetupStep(QT_TRANSLATE_NOOP("satseg", "Install the build tools"), python,
                               (*pip, "-c", constraints, *BUILD_TOOLS)))
    copy_code = ("import shutil, sys; shutil.rmtree(sys.argv[2], ignore_errors=True); "
                 "shutil.copytree(sys.argv[1], sys.argv[2], ignore=shutil.ignore_patterns("
                 "'build', 'dist', '*.egg-info', '__pycache__', '*.pyc'))")
    steps.append(SetupStep(QT_TRANSLATE_NOOP("satseg", "Copy the engine sources"), python,
                           ("-c", copy_code, str(engine_src), str(engine_copy))))
    if install_deps:
        engine_title = QT_TRANSLATE_NOOP("satseg", "Install the satseg engine")
        engine_flags: Tuple[str, ...] = ()
    else:
        engine_title = QT_TRANSLATE_NOOP("satseg",
                                         "Install the satseg engine (without dependencies)")
        engine_flags = ("--no-deps", "--no-build-isolation")
    steps.append(SetupStep(engine_title, python,
                           (*pip, "-c", constraints, *engine_flags, str(engine_copy))))
    if gpu and install_deps:
        steps.append(cupy_step(python, engine_copy, constraints))
    return steps


def cupy_step(python: str, engine_copy: Path, constraints: str) -> SetupStep:
    """CuPy for band statistics on the GPU: the wheel of the CUDA that the installed torch was
    built for (the engine's core/cupy_wheel.py, as scripts/engine-env.sh does). The script ends
    with exit code 0 when pip fails and prints a warning: CuPy is optional, and without it the
    engine computes statistics with NumPy."""
    script = engine_copy / "satseg_engine" / "core" / "cupy_wheel.py"
    title = QT_TRANSLATE_NOOP("satseg", "Install CuPy for band statistics on the GPU (optional)")
    return SetupStep(title, python, (str(script), *PIP_OPTIONS, "-c", constraints))
