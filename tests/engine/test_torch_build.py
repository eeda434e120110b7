"""Which PyTorch build `make setup` installs (scripts/torch-build.sh), and `doctor` saying why.

The script's three inputs are real here: the environment variable, an `nvidia-smi` program on
PATH (a small script standing in for the driver's tool, since no GPU is lent to CI) and an HTTP
index served from this test (the real CPU index is not reachable from CI machines).
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch
from gpu_standin import env_with_nvidia_smi

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "torch-build.sh"


def choose(tmp_path: Path, *, gpu: bool = False, index: str = "http://127.0.0.1:9",
           forced: str | None = None) -> subprocess.CompletedProcess:
    """Run the script with a stand-in nvidia-smi that lists a GPU (gpu) or fails (no driver)."""
    env = {**env_with_nvidia_smi(tmp_path, gpu), "SATSEG_CPU_TORCH_INDEX": index}
    env.pop("SATSEG_TORCH_BUILD", None)
    if forced is not None:
        env["SATSEG_TORCH_BUILD"] = forced
    return subprocess.run(["bash", str(SCRIPT), sys.executable], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.fixture
def index_server():
    """An index at http://127.0.0.1:PORT/ok (lists torch wheels) and /empty (lists nothing)."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = (b'<a href="torch-2.15.0%2Bcpu-cp311-cp311-linux_x86_64.whl">torch</a>'
                    if self.path.startswith("/ok/torch/") else b"<html></html>")
            self.send_response(200 if self.path.startswith(("/ok/", "/empty/")) else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_no_gpu_and_a_cpu_index_that_answers_takes_the_cpu_wheels(tmp_path, index_server):
    run = choose(tmp_path, index=f"{index_server}/ok")
    assert run.returncode == 0, run.stderr
    build, reason = run.stdout.rstrip("\n").split("\t")
    assert build == "cpu" and "no NVIDIA GPU" in reason and f"{index_server}/ok" in reason


@pytest.mark.parametrize("where", ["empty", "unreachable"])
def test_no_gpu_and_no_cpu_index_falls_back_to_pypi(tmp_path, index_server, where):
    index = f"{index_server}/empty" if where == "empty" else "http://127.0.0.1:9"
    run = choose(tmp_path, index=index)
    assert run.returncode == 0, run.stderr
    build, reason = run.stdout.rstrip("\n").split("\t")
    assert build == "pypi" and "did not answer" in reason


def test_a_gpu_takes_pypis_cuda_build_without_asking_the_cpu_index(tmp_path, index_server):
    run = choose(tmp_path, gpu=True, index=f"{index_server}/ok")
    build, reason = run.stdout.rstrip("\n").split("\t")
    assert (build, reason) == ("pypi", "an NVIDIA GPU is present: PyPI's CUDA build")


@pytest.mark.parametrize("forced", ["cpu", "pypi"])
def test_the_user_can_force_a_build(tmp_path, forced):
    run = choose(tmp_path, gpu=forced == "cpu", forced=forced)
    assert run.stdout == f"{forced}\tSATSEG_TORCH_BUILD={forced}\n"


def test_an_unknown_forced_build_is_refused_with_the_valid_names(tmp_path):
    run = choose(tmp_path, forced="rocm")
    assert run.returncode == 2 and run.stdout == ""
    assert "must be auto, cpu or pypi (not 'rocm')" in run.stderr


def test_doctor_says_which_build_is_installed_and_why(engine, tmp_path):
    record = Path(torch.__file__).resolve().parents[1] / "torch_build.json"
    run = engine("doctor", "--output-dir", str(tmp_path))
    assert run.returncode == 0, run.stderr
    choice = run.terminal["summary"]["torch"]["build_choice"]
    if record.is_file():  # an environment built by make setup (always so under make test)
        written = json.loads(record.read_text())
        assert choice == {"build": written["build"], "reason": written["reason"]}
        assert ("+cpu" in torch.__version__) == (written["build"] == "cpu")
    else:
        assert choice["build"] is None and "make setup" in choice["reason"]
