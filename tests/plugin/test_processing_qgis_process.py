"""`qgis_process` from a shell: the packaged plugin installed into a throwaway profile
(QGIS_CUSTOM_CONFIG_PATH), enabled with `qgis_process plugins enable`, lists the satseg
algorithms and runs satseg:predict with a real engine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from osgeo import gdal

from conftest import REPO, missing_part

pytest.register_assert_rewrite("processing_support")
from processing_support import tiny_model  # noqa: E402, F401 - a session fixture

TIMEOUT_S = 300


def qgis_process() -> str:
    """qgis_process itself: Debian's /usr/bin/qgis_process wrapper passes QGIS_OPTS from
    /etc/default/qgis (--noversioncheck), which qgis_process refuses; the binary beside it
    takes our arguments as they are."""
    for name in ("qgis_process.bin", "qgis_process"):
        path = shutil.which(name)
        if path:
            return path
    missing_part("qgis_process is not installed (Debian: apt-get install qgis)")
    return ""


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    """A QGIS settings folder with the packaged plugin installed."""
    root = tmp_path_factory.mktemp("qgis-process")
    subprocess.run([sys.executable, str(REPO / "scripts" / "package.py"), "--output",
                    str(root / "satseg_plugin.zip"), "--deploy",
                    str(root / "profiles" / "default" / "python" / "plugins")],
                   check=True, capture_output=True, timeout=TIMEOUT_S)
    return root


def run(profile: Path, engine_python: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QGIS_CUSTOM_CONFIG_PATH": str(profile),
           "SATSEG_ENGINE_PYTHON": engine_python}
    return subprocess.run([qgis_process(), *args], capture_output=True, text=True, env=env,
                          timeout=TIMEOUT_S, cwd=profile)


def test_qgis_process_lists_and_runs_satseg_predict(profile, engine_python, sample_dataset,
                                                    tiny_model, tmp_path):  # noqa: F811
    enabled = run(profile, engine_python, "plugins", "enable", "satseg_plugin")
    assert enabled.returncode == 0, enabled.stderr
    assert "* satseg_plugin" in enabled.stdout
    listed = run(profile, engine_python, "list")
    for verb in ("grid", "extract", "train", "predict", "evaluate"):
        assert f"satseg:{verb}" in listed.stdout, listed.stdout[-2000:]
    classes, confidence = tmp_path / "classes.tif", tmp_path / "confidence.tif"
    done = run(profile, engine_python, "--json", "run", "satseg:predict", "--",
               f"INPUT={sample_dataset / 'scene.tif'}", f"CHECKPOINT={tiny_model}",
               f"OUTPUT={classes}", f"CONFIDENCE={confidence}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(done.stdout)["results"]
    assert results == {"OUTPUT": str(classes), "CONFIDENCE": str(confidence)}
    raster = gdal.Open(str(classes))
    assert (raster.RasterXSize, raster.RasterYSize) == (256, 256)


def test_qgis_process_reports_a_bad_input_with_its_fix(profile, engine_python, sample_dataset,
                                                       tmp_path):
    run(profile, engine_python, "plugins", "enable", "satseg_plugin")
    failed = run(profile, engine_python, "run", "satseg:predict", "--",
                 f"INPUT={sample_dataset / 'scene.tif'}",
                 f"CHECKPOINT={tmp_path / 'missing.pt'}", f"OUTPUT={tmp_path / 'c.tif'}",
                 f"CONFIDENCE={tmp_path / 'p.tif'}")
    assert failed.returncode != 0
    assert "missing.pt" in failed.stdout + failed.stderr
    assert not (tmp_path / "c.tif").exists()
