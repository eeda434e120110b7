"""satseg: deep-learning semantic segmentation of satellite imagery (QGIS plugin).

The plugin is a front end: the work runs in a separate engine interpreter (see
docs/architecture.md); nothing here imports torch, rasterio or the engine.
"""

from __future__ import annotations

from typing import Any


def classFactory(iface: Any):
    """QGIS's entry point: build the plugin for this QGIS interface."""
    from .plugin import SatsegPlugin

    return SatsegPlugin(iface)
