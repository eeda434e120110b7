"""Engine test helpers: run the real engine as a subprocess and read its events."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "events.jsonl"


@dataclass
class EngineRun:
    returncode: int
    events: list[dict[str, Any]]
    stderr: str

    @property
    def terminal(self) -> dict[str, Any]:
        return self.events[-1]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]


def run_engine(*args: str, timeout: float = 120, cwd: Path | None = None) -> EngineRun:
    """`python -m satseg_engine ARGS` with stdout piped: every stdout line must be JSON."""
    proc = subprocess.run([sys.executable, "-m", "satseg_engine", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd)
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return EngineRun(proc.returncode, events, proc.stderr)


@pytest.fixture
def engine():
    return run_engine


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny tensors on 2 shared cores: one torch thread is faster than two (no spin-waits).
    Use with `pytestmark = pytest.mark.usefixtures("one_torch_thread")`."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
