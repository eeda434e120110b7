"""Where the plugin's files are, in both layouts it runs from.

* packaged (the zip QGIS installs): ``<plugin dir>/{resources,i18n,engine,metadata.txt}``
* development checkout: ``<repo>/satseg_plugin`` beside ``<repo>/{resources,i18n,engine}``
"""

from __future__ import annotations

from pathlib import Path
from typing import List

PLUGIN_DIR = Path(__file__).resolve().parent


def _roots() -> List[Path]:
    """Folders that may hold the plugin's data: the plugin folder first, then the repo root."""
    return [PLUGIN_DIR, PLUGIN_DIR.parent]


def _find(top: str, *parts: str) -> Path:
    """The first existing ``<root>/top/parts``; the plugin-folder path when none exists."""
    for root in _roots():
        candidate = root.joinpath(top, *parts)
        if candidate.exists():
            return candidate
    return PLUGIN_DIR.joinpath(top, *parts)


def resource_path(*parts: str) -> Path:
    """A file under ``resources/`` (e.g. ``resource_path("icons", "grid.svg")``)."""
    return _find("resources", *parts)


def icon_path(name: str) -> Path:
    """The SVG icon called `name` (grid, extract, train, predict, settings, log, setup, satseg)."""
    return resource_path("icons", f"{name}.svg")


def i18n_path(*parts: str) -> Path:
    """A file under ``i18n/`` (translations: ``satseg_fr.qm``)."""
    return _find("i18n", *parts)


def metadata_path() -> Path:
    """The plugin's metadata.txt (in the plugin folder when packaged, the repo root in dev)."""
    return _find("metadata.txt")


def engine_source_dir() -> Path:
    """The engine's source tree to pip-install: ``<plugin>/engine`` packaged, ``<repo>/engine``
    in a checkout (recognised by its ``pyproject.toml``)."""
    for root in _roots():
        candidate = root / "engine"
        if (candidate / "pyproject.toml").is_file():
            return candidate
    return PLUGIN_DIR / "engine"
