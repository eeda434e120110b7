"""Which CuPy wheel the engine environment gets (only with an NVIDIA GPU, the one of torch's CUDA
major), and a failed CuPy install being a warning, not a failed setup.

As in test_torch_build.py, `nvidia-smi` is a small script standing in for the driver's tool (no
GPU is lent to CI), and nothing is downloaded: the decision is printed by `--dry-run`, and the
install that fails is a pip run that may only look in an empty folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from gpu_standin import env_with_nvidia_smi

REPO = Path(__file__).resolve().parents[2]
TORCH_BUILD = REPO / "scripts" / "torch-build.sh"
CUPY_WHEEL = REPO / "engine" / "satseg_engine" / "core" / "cupy_wheel.py"


def decide(tmp_path: Path, gpu: bool, cupy: str | None = None) -> subprocess.CompletedProcess:
    env = env_with_nvidia_smi(tmp_path, gpu)
    env.pop("SATSEG_CUPY", None)
    if cupy is not None:
        env["SATSEG_CUPY"] = cupy
    return subprocess.run(["bash", str(TORCH_BUILD), "--cupy", sys.executable],
                          capture_output=True, text=True, env=env, timeout=120)


def test_a_gpu_gets_the_cupy_wheel_of_torchs_cuda_major(tmp_path):
    run = decide(tmp_path, gpu=True)
    assert run.returncode == 0, run.stderr
    if torch.version.cuda:  # PyPI's torch 2.15 is built for CUDA 13: cupy-cuda13x
        major = torch.version.cuda.split(".")[0]
        assert run.stdout == (f"cupy-cuda{major}x\ttorch {torch.__version__} is built for "
                              f"CUDA {torch.version.cuda}\n")
    else:  # a CPU torch on a GPU machine (SATSEG_TORCH_BUILD=cpu): nothing to install
        assert run.stdout.startswith("none\t") and "is a CPU build" in run.stdout


def test_no_gpu_installs_no_cupy(tmp_path):
    run = decide(tmp_path, gpu=False)
    assert (run.returncode, run.stdout) == (0, "none\tno NVIDIA GPU: band statistics run on "
                                               "NumPy\n")


def test_the_user_can_refuse_cupy_and_a_bad_value_is_named(tmp_path):
    assert decide(tmp_path, gpu=True, cupy="no").stdout == "none\tSATSEG_CUPY=no\n"
    bad = decide(tmp_path, gpu=True, cupy="maybe")
    assert bad.returncode == 2 and "SATSEG_CUPY must be auto or no (not 'maybe')" in bad.stderr


@pytest.mark.parametrize("cuda, line", [
    ("12.4", "cupy-cuda12x\ttorch (given) is built for CUDA 12.4"),
    ("13.0", "cupy-cuda13x\ttorch (given) is built for CUDA 13.0"),
    ("11.8", "cupy-cuda11x\ttorch (given) is built for CUDA 11.8"),
    ("10.2", "none\tno CuPy wheel is known for CUDA 10 (torch (given))"),
    ("", "none\ttorch (given) is a CPU build: CuPy needs CUDA"),
])
def test_wheel_per_cuda_version(cuda, line):
    run = subprocess.run([sys.executable, str(CUPY_WHEEL), "--dry-run", "--cuda", cuda],
                         capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout) == (0, line + "\n")


@pytest.mark.parametrize("strict, code", [(False, 0), (True, 3)])
def test_a_failed_install_warns_and_the_setup_goes_on(tmp_path, strict, code):
    empty = tmp_path / "wheels"
    empty.mkdir()
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(empty)}
    run = subprocess.run([sys.executable, str(CUPY_WHEEL), "--cuda", "13.0",
                          *(["--strict"] if strict else []), "--disable-pip-version-check"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == code, run.stderr
    assert run.stdout == "cupy-cuda13x\ttorch (given) is built for CUDA 13.0\n"
    assert "warning: cupy-cuda13x could not be installed" in run.stderr
    assert "band statistics run on NumPy" in run.stderr
