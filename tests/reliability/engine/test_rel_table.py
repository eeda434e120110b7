"""The engine table itself: every case has exactly one scenario, ids are stable kebab-case, and
docs/reliability.md is what scripts/reliability_doc.py writes from the tables."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import test_rel_inputs
import test_rel_jobs
import test_rel_models
import test_rel_outputs
import test_rel_processes
from cases import CASES

REPO = Path(__file__).resolve().parents[3]
MODULES = (test_rel_jobs, test_rel_inputs, test_rel_models, test_rel_outputs,
           test_rel_processes)
FAMILIES = {"job files", "rasters", "labels", "grids", "datasets", "checkpoints", "outputs",
            "processes"}


def test_every_case_runs_in_exactly_one_module():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), "case ids are unique"
    covered = [case_id for module in MODULES for case_id in module.SCENARIOS]
    assert sorted(covered) == sorted(ids), set(covered) ^ set(ids)


def test_rows_are_complete():
    assert len(CASES) >= 40
    for case in CASES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", case.id), case.id
        assert case.family in FAMILIES, case
        assert case.situation and case.answer, case
        assert case.code is None or re.fullmatch(r"[a-z_]+", case.code), case
    assert {c.family for c in CASES} == FAMILIES
    assert all(sum(c.family == f for c in CASES) >= 3 for f in FAMILIES)


def test_reliability_page_is_current():
    """Edit a table, then run `python scripts/reliability_doc.py`."""
    check = subprocess.run([sys.executable, str(REPO / "scripts" / "reliability_doc.py"),
                            "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    page = (REPO / "docs" / "reliability.md").read_text(encoding="utf-8")
    for case in CASES:
        assert case.situation.split()[0] in page
        if case.code:
            assert f"`{case.code}`" in page
