"""Reliability matrix, job files: every malformed job is refused before any work starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import Snapshot, check_refused, run_cli
from scenarios import cases_of, registry

SCENARIOS, scenario = registry()


def _grid_job(world, tmp_path: Path, text: str, **extra: object) -> tuple[object, Snapshot]:
    job = tmp_path / "job.json"
    job.write_text(text, encoding="utf-8")
    snap = Snapshot.take([tmp_path])
    return run_cli("grid", "--config", job, cwd=tmp_path), snap


def _job_text(world, **keys: object) -> str:
    job = {"schema": 1, "image": str(world.scene), "output": "grid.gpkg", "patch_size": 32}
    job.update(keys)
    return json.dumps(job)


@scenario
def job_missing(case, world, tmp_path):
    result = run_cli("grid", "--config", tmp_path / "nowhere.json", cwd=tmp_path)
    error = check_refused(result, case.code, Snapshot.take([tmp_path]), exit_code=2)
    assert "nowhere.json" in error["message"] and error["key"] == "config"


@scenario
def job_not_json(case, world, tmp_path):
    text = _job_text(world).replace('"patch_size"', ', "patch_size"')
    result, snap = _grid_job(world, tmp_path, text)
    error = check_refused(result, case.code, snap, exit_code=2)
    assert "not valid JSON" in error["message"] and "line 1" in error["message"]


@scenario
def job_wrong_schema(case, world, tmp_path):
    result, snap = _grid_job(world, tmp_path, _job_text(world, schema=2))
    error = check_refused(result, case.code, snap, exit_code=2)
    assert error["key"] == "schema"


@scenario
def job_unknown_key(case, world, tmp_path):
    text = _job_text(world).replace('"patch_size"', '"patch_sise"')
    result, snap = _grid_job(world, tmp_path, text)
    error = check_refused(result, case.code, snap, exit_code=2)
    assert "patch_size" in error["hint"]


@scenario
def job_wrong_type(case, world, tmp_path):
    result, snap = _grid_job(world, tmp_path, _job_text(world, patch_size="big"))
    error = check_refused(result, case.code, snap, exit_code=2)
    assert error["key"] == "patch_size" and "int" in error["message"]


@scenario
def job_out_of_range(case, world, tmp_path):
    result, snap = _grid_job(world, tmp_path, _job_text(world, patch_size=4))
    error = check_refused(result, case.code, snap, exit_code=2)
    assert error["key"] == "patch_size" and ">= 8" in error["message"]


@scenario
def job_conflicting_keys(case, world, tmp_path):
    result, snap = _grid_job(world, tmp_path, _job_text(world, overlap=32))
    error = check_refused(result, case.code, snap, exit_code=2)
    assert error["key"] == "overlap" and "patch_size" in error["message"]


@scenario
def job_duplicate_key(case, world, tmp_path):
    text = _job_text(world)[:-1] + ', "patch_size": 64}'
    result, snap = _grid_job(world, tmp_path, text)
    error = check_refused(result, case.code, snap, exit_code=2)
    assert "patch_size" in error["message"] and "twice" in error["message"]


@pytest.mark.parametrize("case", cases_of(SCENARIOS), ids=lambda c: c.id)
def test_case(case, world, tmp_path):
    SCENARIOS[case.id](case, world, tmp_path)
    assert not (tmp_path / "grid.gpkg").exists()
