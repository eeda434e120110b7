"""`satseg doctor` reports the real environment."""

from __future__ import annotations

import subprocess
import sys

import rasterio
import torch


def test_doctor_reports_real_versions_and_disk(engine, tmp_path):
    run = engine("doctor", "--output-dir", str(tmp_path / "not" / "yet"))
    assert run.returncode == 0, run.stderr
    summary = run.terminal["summary"]
    assert summary["torch"]["version"] == torch.__version__
    assert summary["torch"]["cuda_available"] == torch.cuda.is_available()
    assert len(summary["torch"]["devices"]) == torch.cuda.device_count()
    assert summary["packages"]["rasterio"] == rasterio.__version__
    assert summary["packages"]["gdal"] == rasterio.__gdal_version__
    assert summary["disk"]["path"] == str(tmp_path) and summary["disk"]["free_gb"] > 0
    assert isinstance(summary["cupy"]["available"], bool)
    assert summary["ok"] is True


def test_doctor_reads_well_on_a_terminal():
    proc = subprocess.run([sys.executable, "-m", "satseg_engine", "doctor", "--progress", "bar"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == ""
    assert "torch:" in proc.stderr and torch.__version__ in proc.stderr
