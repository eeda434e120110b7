"""Under `make test` and in CI a test that needs the engine fails when the engine is missing.

A silent skip would let a broken setup pass CI: these tests run one engine-backed test of this
suite in a child pytest with the engine pointed at a path that does not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NODE = f"{HERE / 'test_required_parts.py'}::test_engine_interpreter_runs_satseg"


def test_engine_interpreter_runs_satseg(engine_python):
    result = subprocess.run([engine_python, "-c", "import satseg_engine; print('ok')"],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def run_child(**env: str) -> subprocess.CompletedProcess:
    child_env = {k: v for k, v in os.environ.items()
                 if k not in ("CI", "SATSEG_REQUIRE_ENGINE", "PYTEST_ADDOPTS")}
    child_env.update(env, SATSEG_ENGINE_PYTHON="/nonexistent/satseg-engine/bin/python",
                     QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "pytest", NODE, "-q", "-p", "no:cacheprovider",
                           "-rs"], capture_output=True, text=True, env=child_env, timeout=120,
                          cwd=HERE.parents[1])


@pytest.mark.parametrize("env", [{"CI": "true"}, {"SATSEG_REQUIRE_ENGINE": "1"}],
                         ids=["ci", "make-test"])
def test_missing_engine_fails_under_ci_and_make_test(env):
    result = run_child(**env)
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout  # the fixture fails: the test errors, never skips
    assert "skipped" not in result.stdout
    assert "no engine interpreter at /nonexistent/satseg-engine/bin/python" in result.stdout
    assert "make test and CI require it" in result.stdout


def test_missing_engine_skips_when_run_by_hand():
    result = run_child()
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
