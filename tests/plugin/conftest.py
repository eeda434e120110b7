"""Plugin tests run in a real headless QGIS (pytest-qgis) with the real engine interpreter.

Shared fixtures: the engine (`engine_python`, `engine`), sample data made once per session by
the real engine (`sample_scene`, `sample_dataset`, and `source_rasters`: other sources and
dates cut from the sample scene; read them, never write into them), layers
loaded into the project and removed afterwards (`add_layers`), and QGIS settings restored after
a test (`saved_settings`, `use_engine`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from qgis.core import QgsProject, QgsRasterLayer, QgsSettings, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QEvent

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

ENGINE_TIMEOUT_S = 180
#: files a vector layer is read from (anything else opens as a raster)
VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson")
#: written by `make setup`: ENGINE_PY=... (the engine interpreter of this checkout)
ENV_FILE = REPO / "build" / "env.sh"


def parts_required() -> bool:
    """Under `make test` (SATSEG_REQUIRE_ENGINE=1) and in CI (CI=true) a missing part that
    setup should have built is a failure, never a skip."""
    return (os.environ.get("SATSEG_REQUIRE_ENGINE") == "1"
            or os.environ.get("CI", "").lower() in ("1", "true", "yes"))


def missing_part(reason: str) -> None:
    """Fail under make test / CI, skip when a developer runs pytest by hand without setup."""
    if parts_required():
        pytest.fail(f"{reason} (make test and CI require it: run `make setup`)", pytrace=False)
    pytest.skip(reason)


def configured_engine_python() -> str | None:
    """SATSEG_ENGINE_PYTHON, else ENGINE_PY from build/env.sh, else None."""
    path = os.environ.get("SATSEG_ENGINE_PYTHON")
    if path:
        return path
    if ENV_FILE.is_file():
        for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
            if line.startswith("ENGINE_PY="):
                return line.split("=", 1)[1].strip().strip("'\"")
    return None


@pytest.fixture(scope="session")
def engine_python() -> str:
    """The engine interpreter (SATSEG_ENGINE_PYTHON, else build/env.sh's ENGINE_PY)."""
    path = configured_engine_python()
    if not path or not os.path.isfile(path):
        missing_part(f"no engine interpreter at {path or 'SATSEG_ENGINE_PYTHON/build/env.sh'}: "
                     "build one with `make setup` or scripts/engine-env.sh and set "
                     "SATSEG_ENGINE_PYTHON to its bin/python")
    return path


@pytest.fixture(scope="session")
def engine(engine_python) -> Callable[..., dict]:
    """engine(verb, *flags) runs a verb as a subprocess and returns its last event (done)."""

    def run(*args: str) -> dict:
        result = subprocess.run([engine_python, "-m", "satseg_engine", *args, "--progress",
                                 "json"], check=True, capture_output=True, text=True,
                                timeout=ENGINE_TIMEOUT_S)
        return json.loads(result.stdout.strip().splitlines()[-1])

    return run


@pytest.fixture(scope="session")
def sample_scene(tmp_path_factory, engine) -> Path:
    """scene.tif (10 bands, 10 m, EPSG:32632, 512 × 512), labels.tif, labels.gpkg and a
    128-px grid.gpkg on them, made by the engine."""
    out = tmp_path_factory.mktemp("sample-512")
    engine("sample", "--output-dir", str(out), "--width", "512", "--height", "512")
    engine("grid", "--image", str(out / "scene.tif"), "--output", str(out / "grid.gpkg"),
           "--patch-size", "128")
    return out


@pytest.fixture(scope="session")
def sample_dataset(tmp_path_factory, engine) -> Path:
    """A folder with the 256 × 256 sample (scene.tif, labels.tif, labels.gpkg), its 64-px
    grid.gpkg and `dataset/`: the 16-patch dataset (6 classes, 10 bands) extracted from them."""
    root = tmp_path_factory.mktemp("sample-256")
    engine("sample", "--output-dir", str(root), "--width", "256", "--height", "256")
    engine("grid", "--image", str(root / "scene.tif"), "--output", str(root / "grid.gpkg"),
           "--patch-size", "64")
    engine("extract", "--image", str(root / "scene.tif"), "--labels",
           str(root / "labels.tif"), "--grid", str(root / "grid.gpkg"), "--output-dir",
           str(root / "dataset"))
    return root


#: how long a test waits for a dialog's run to finish
RUN_TIMEOUT_MS = 120000


def flush() -> None:
    """Let Qt delete the objects given to deleteLater() (and run pending events)."""
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QCoreApplication.processEvents()


def run_dialog(qtbot, dialog, button=None, timeout_ms: int = RUN_TIMEOUT_MS):
    """Click `button` (the dialog's Run button by default) and wait for the dialog's
    `run_finished`; returns the run's RunState."""
    with qtbot.waitSignal(dialog.run_finished, timeout=timeout_ms) as blocker:
        (button or dialog.panel.run_button).click()
    return blocker.args[0]


@pytest.fixture
def train_dialog(qgis_app, qtbot, qgis_iface, use_engine, dialogs):
    """The training dialog once the engine's model list has loaded."""
    from satseg_plugin.gui.train_dialog import TrainDialog

    dialog = dialogs(TrainDialog(qgis_iface))
    with qtbot.waitSignal(dialog.models_loaded, timeout=RUN_TIMEOUT_MS):
        pass
    return dialog


@pytest.fixture
def dialogs() -> Iterator[Callable]:
    """dialogs(dialog) -> dialog: closed (its run cancelled), disposed and deleted after the
    test."""
    made = []

    def track(dialog):
        made.append(dialog)
        return dialog

    yield track
    for dialog in made:
        dialog.done(0)
        if hasattr(dialog, "dispose"):
            dialog.dispose()
        dialog.deleteLater()
    flush()


@pytest.fixture
def add_layers(qgis_app, qgis_new_project) -> Iterator[Callable[..., dict[str, object]]]:
    """add_layers(name=path, ...) loads each file into the project as a layer of that name and
    returns {name: layer}; a .gpkg (or `path|layername=x`) opens as a vector layer. Every layer
    and group is removed from the project afterwards."""
    project = QgsProject.instance()

    def add(**paths: str | Path) -> dict[str, object]:
        loaded = {}
        for name, path in paths.items():
            source = str(path)
            if source.split("|")[0].lower().endswith(VECTOR_SUFFIXES):
                loaded[name] = QgsVectorLayer(source, name, "ogr")
            else:
                loaded[name] = QgsRasterLayer(source, name)
        invalid = [name for name, layer in loaded.items() if not layer.isValid()]
        assert not invalid, f"layers that did not load: {invalid}"
        project.addMapLayers(list(loaded.values()))
        return loaded

    yield add
    project.removeAllMapLayers()
    project.layerTreeRoot().removeAllChildren()
    flush()


@pytest.fixture
def saved_settings() -> Iterator[None]:
    """Leave the engine-python and last-checkpoint settings as they were."""
    from satseg_plugin.core import settings, train_job

    keys = (settings.ENGINE_PYTHON_KEY, train_job.LAST_CHECKPOINT_KEY)
    before = {key: QgsSettings().value(key, None) for key in keys}
    yield
    for key, value in before.items():
        if value is None:
            QgsSettings().remove(key)
        else:
            QgsSettings().setValue(key, value)


@pytest.fixture
def use_engine(qgis_app, engine_python, saved_settings) -> str:
    """The plugin set to run the test engine (the user's setting comes back afterwards)."""
    from satseg_plugin.core import settings

    settings.set_engine_python(engine_python)
    return engine_python


#: file name of a dated two-band "radar" raster -> the date in its name (three spellings)
S1_FILES = {"s1_2024-07-20.tif": "2024-07-20", "s1_20240501.tif": "2024-05-01",
            "s1_2024_06_10.tif": "2024-06-10", "s1_2024-08-30.tif": "2024-08-30"}


@pytest.fixture(scope="session")
def source_rasters(tmp_path_factory, sample_dataset) -> Path:
    """Rasters of other sources, cut from the 256-px sample scene with GDAL: two-band "radar"
    rasters of four dates (S1_FILES), a one-band dem.tif, and two dated copies of the scene
    (scene_2023-08-01.tif, scene_2023-06-15.tif)."""
    from osgeo import gdal

    out = tmp_path_factory.mktemp("sources")
    scene = str(sample_dataset / "scene.tif")
    for name in S1_FILES:
        gdal.Translate(str(out / name), scene, bandList=[1, 2])
    gdal.Translate(str(out / "dem.tif"), scene, bandList=[3])
    for name in ("scene_2023-08-01.tif", "scene_2023-06-15.tif"):
        gdal.Translate(str(out / name), scene)
    return out
