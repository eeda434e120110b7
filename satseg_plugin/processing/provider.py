"""SatsegProvider: the "satseg" Processing provider.

Algorithms are listed in ALGORITHMS (module, class), imported when the provider loads, so an
algorithm whose verb this engine version lacks is left out instead of breaking the provider.
Loading in QGIS never waits for the engine: the train algorithm's enums come from the cached
`satseg models` answer, which is fetched in the background (then the algorithms reload) when none
is cached. qgis_process (one run, no event loop) asks the engine once at load instead.
"""

from __future__ import annotations

import importlib
import traceback
import weakref
from typing import List, Optional, Tuple

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsProcessingProvider
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject, pyqtSignal
from qgis.PyQt.QtGui import QIcon

from ..core import settings
from ..core.sync_runner import EngineRunError
from ..paths import icon_path
from . import engine_models

PROVIDER_ID = "satseg"
#: QgsApplication.platform() of qgis_process
BATCH_PLATFORM = "qgis_process"
#: (module in this package, class): one algorithm per verb, in pipeline order
ALGORITHMS: List[Tuple[str, str]] = [
    ("grid_algorithm", "GridAlgorithm"),
    ("extract_algorithm", "ExtractAlgorithm"),
    ("train_algorithm", "TrainAlgorithm"),
    ("predict_algorithm", "PredictAlgorithm"),
    ("evaluate_algorithm", "EvaluateAlgorithm"),
    ("export_algorithm", "ExportAlgorithm"),
    ("vectorize_algorithm", "VectorizeAlgorithm"),
]


class _Reload(QObject):
    """Carries "the engine's model list arrived" from the fetching thread to the main thread."""

    fetched = pyqtSignal()


_LOADED: "weakref.WeakSet[SatsegProvider]" = weakref.WeakSet()
_RELOAD: Optional[_Reload] = None


def _reloader() -> _Reload:
    """The one signal that reloads every registered satseg provider (made in the main
    thread, where providers load)."""
    global _RELOAD
    if _RELOAD is None:
        _RELOAD = _Reload()
        _RELOAD.fetched.connect(_reload_all)
    return _RELOAD


def _reload_all() -> None:
    for provider in list(_LOADED):
        if not sip.isdeleted(provider):
            provider.refreshAlgorithms()


class SatsegProvider(QgsProcessingProvider):
    def __init__(self) -> None:
        super().__init__()
        _LOADED.add(self)

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return "satseg"

    def longName(self) -> str:
        return "satseg (Satellite Segmentation)"

    def icon(self) -> QIcon:
        return QIcon(str(icon_path("satseg")))

    def loadAlgorithms(self) -> None:
        python = settings.engine_python()
        background = QgsApplication.platform() != BATCH_PLATFORM
        if not background and engine_models.cached(python) is None:
            try:  # qgis_process: one run, no event loop to reload in; ask once and cache
                engine_models.fetch(python)
            except EngineRunError:
                pass  # a run reports the engine's problem with its fix
        for module_name, class_name in ALGORITHMS:
            try:
                module = importlib.import_module(f"{__package__}.{module_name}")
            except ModuleNotFoundError as exc:
                if exc.name == f"{__package__}.{module_name}":
                    continue  # not shipped in this version
                _report(class_name)
                continue
            except Exception:  # noqa: BLE001 - one broken algorithm must not hide the others
                _report(class_name)
                continue
            self.addAlgorithm(getattr(module, class_name)())
        if background:
            engine_models.fetch_in_background(python, _reloader().fetched.emit)

    # only files the engine writes: GeoPackage grids and GeoTIFF rasters
    def supportsNonFileBasedOutput(self) -> bool:
        return False

    def supportedOutputVectorLayerExtensions(self) -> List[str]:
        return ["gpkg"]

    def defaultVectorFileExtension(self, hasGeometry: bool = True) -> str:  # noqa: N803
        return "gpkg"

    def supportedOutputRasterLayerExtensions(self) -> List[str]:
        return ["tif"]

    def defaultRasterFileExtension(self) -> str:
        return "tif"


def _report(name: str) -> None:
    QgsMessageLog.logMessage(f"satseg: the Processing algorithm {name} could not be loaded:\n"
                             f"{traceback.format_exc()}", "satseg", Qgis.Warning)
