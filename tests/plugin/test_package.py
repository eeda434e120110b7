"""`make package` builds a zip that QGIS's "Install from ZIP" accepts, engine included."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("package") / "satseg_plugin.zip"
    subprocess.run(["make", "-s", "transcompile"], cwd=REPO, check=True)
    subprocess.run([sys.executable, str(REPO / "scripts" / "package.py"), "--output",
                    str(output)], cwd=REPO, check=True, capture_output=True)
    return output


def test_zip_has_one_plugin_folder_with_metadata_engine_icons_and_translations(plugin_zip):
    with zipfile.ZipFile(plugin_zip) as archive:
        names = archive.namelist()
        metadata = archive.read("satseg_plugin/metadata.txt").decode("utf-8")
    assert {name.split("/")[0] for name in names} == {"satseg_plugin"}
    for required in ("satseg_plugin/__init__.py", "satseg_plugin/metadata.txt",
                     "satseg_plugin/engine/pyproject.toml",
                     "satseg_plugin/engine/constraints.txt",
                     "satseg_plugin/engine/satseg_engine/core/cli.py",
                     "satseg_plugin/engine/satseg_engine/core/events.py"):
        assert required in names, required
    assert any(n.startswith("satseg_plugin/i18n/") and n.endswith(".qm") for n in names)
    assert any(n.startswith("satseg_plugin/resources/") and n.endswith(".svg") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "qgisMinimumVersion=3.22" in metadata
    icon = next(line.split("=", 1)[1].strip() for line in metadata.splitlines()
                if line.startswith("icon="))
    assert f"satseg_plugin/{icon}" in names, "the icon metadata.txt names is in the zip"


def test_the_unzipped_plugin_loads_in_qgis_without_the_repository(plugin_zip, tmp_path):
    plugins = tmp_path / "plugins"
    with zipfile.ZipFile(plugin_zip) as archive:
        archive.extractall(plugins)
    script = f"""
import sys
sys.path = [p for p in sys.path if not p.startswith({str(REPO)!r}) and p not in ('', '.')]
sys.path.insert(0, {str(plugins)!r})
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
import satseg_plugin
from satseg_plugin import paths
assert satseg_plugin.__file__.startswith({str(plugins)!r}), satseg_plugin.__file__
assert (paths.engine_source_dir() / "pyproject.toml").is_file(), paths.engine_source_dir()
print("ENGINE", paths.engine_source_dir())
app.exitQgis()
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"ENGINE {plugins / 'satseg_plugin' / 'engine'}" in proc.stdout
