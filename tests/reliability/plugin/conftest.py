"""Fixtures of the plugin reliability matrix, in a real headless QGIS.

The engine, settings and layer fixtures are tests/plugin/conftest.py's own, loaded from that file
(imported by name below, so both suites share one definition). `inputs` writes small GeoTIFFs
with GDAL; `bench` is an Extract patches dialog on them with the satseg log dock active.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
_spec = importlib.util.spec_from_file_location(
    "satseg_plugin_test_fixtures", HERE.parents[1] / "plugin" / "conftest.py")
plugin_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(plugin_fixtures)

add_layers = plugin_fixtures.add_layers
dialogs = plugin_fixtures.dialogs
engine_python = plugin_fixtures.engine_python
saved_settings = plugin_fixtures.saved_settings
use_engine = plugin_fixtures.use_engine
flush = plugin_fixtures.flush

from bench import Bench, Inputs, write_inputs  # noqa: E402


@pytest.fixture(scope="session")
def inputs(tmp_path_factory) -> Inputs:
    """Small and large images with their label rasters (see bench.write_inputs)."""
    return write_inputs(tmp_path_factory.mktemp("reliability-inputs"))


@pytest.fixture
def bench(qgis_iface, add_layers, use_engine, dialogs, inputs, tmp_path):
    """An Extract patches dialog on the small image and its 1–4 labels, the log dock active;
    everything is closed, and the engine setting restored, afterwards."""
    from satseg_plugin.gui import log_dock

    qgis_iface.messageBar().clear_messages()
    layers = add_layers(image=inputs.image, labels=inputs.labels, zero=inputs.zero_labels,
                        away=inputs.away_labels, big=inputs.big_image,
                        big_labels=inputs.big_labels)
    dock = log_dock.LogDock(qgis_iface)
    log_dock.set_active_dock(dock)
    bench = Bench(dialogs, qgis_iface, layers, dock, tmp_path, use_engine)
    yield bench
    bench.heartbeat.stop()
    log_dock.set_active_dock(None)
    dock.deleteLater()
    flush()
