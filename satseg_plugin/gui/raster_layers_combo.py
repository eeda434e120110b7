"""A drop-down of the project's raster layers where several can be ticked (the dates of one
source). The list is read again each time it opens, so it follows the project without holding
a connection to it."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from qgis.core import QgsProject, QgsRasterLayer
from qgis.gui import QgsCheckableComboBox
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QWidget

from .i18n import translate


class RasterLayersCombo(QgsCheckableComboBox):
    """Tick raster layers of the project; `layers()` gives them in the list's order."""

    #: the ticked layers changed
    layers_changed = pyqtSignal()

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setDefaultText(translate("satseg", "Tick one or more layers"))
        self.checkedItemsChanged.connect(lambda _items: self.layers_changed.emit())
        self.refresh()

    def refresh(self) -> None:
        """List the project's raster layers again (ticks are kept)."""
        ticked = {layer.id() for layer in self.layers()}
        self.blockSignals(True)
        self.clear()
        for layer in project_rasters():
            state = Qt.Checked if layer.id() in ticked else Qt.Unchecked
            self.addItemWithCheckState(layer.name(), state, layer.id())
            self.setItemData(self.count() - 1, layer.source(), Qt.ToolTipRole)
        self.blockSignals(False)

    def showPopup(self) -> None:
        self.refresh()
        super().showPopup()

    def set_layers(self, layers: Sequence[QgsRasterLayer]) -> None:
        """Tick exactly these layers."""
        self.refresh()
        ids = {layer.id() for layer in layers}
        self.blockSignals(True)
        for index in range(self.count()):
            self.setItemCheckState(index, Qt.Checked if self.itemData(index) in ids
                                   else Qt.Unchecked)
        self.blockSignals(False)
        self.layers_changed.emit()

    def layers(self) -> List[QgsRasterLayer]:
        """The ticked layers still in the project, in the list's order."""
        project = QgsProject.instance()
        out: List[Any] = []
        for index in range(self.count()):
            if self.itemCheckState(index) == Qt.Checked:
                layer = project.mapLayer(self.itemData(index))
                if isinstance(layer, QgsRasterLayer):
                    out.append(layer)
        return out


def project_rasters() -> List[QgsRasterLayer]:
    """The project's raster layers as the Layers panel lists them (then any not in it)."""
    project = QgsProject.instance()
    tree = [node.layer() for node in project.layerTreeRoot().findLayers()]
    rest = [layer for layer in project.mapLayers().values() if layer not in tree]
    return [layer for layer in [*tree, *rest] if isinstance(layer, QgsRasterLayer)]
