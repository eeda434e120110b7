"""Styles applied to the layers Processing loads when an algorithm ends: the class raster with
the model's class names and colours, the confidence raster on its 0–1 ramp, the grid by split.

Processing calls a post-processor in the main thread once the layer is in the project. The
Python objects must outlive the algorithm (Processing keeps only a C++ pointer), so they are
held here, one per output path.
"""

from __future__ import annotations

from typing import Callable, Dict

from qgis.core import (
    QgsMapLayer,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingLayerPostProcessorInterface,
)

from ..core import layers, styling

_HELD: Dict[str, "StylePostProcessor"] = {}


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Applies `style(layer)` to the loaded layer."""

    def __init__(self, style: Callable[[QgsMapLayer], None]):
        super().__init__()
        self.style = style

    def postProcessLayer(self, layer: QgsMapLayer, context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> None:
        if layer is not None and layer.isValid():
            self.style(layer)


def style_classes(path: str) -> Callable[[QgsMapLayer], None]:
    """The class raster's style: the class table embedded in the file by the engine."""
    return lambda layer: styling.style_class_layer(layer, styling.read_classes(path))


def style_on_load(context: QgsProcessingContext, path: str,
                  style: Callable[[QgsMapLayer], None]) -> bool:
    """Style the layer of `path` when Processing loads it at the end of the run (dialogs,
    `runAndLoadResults`, models' final outputs); False when it will not be loaded."""
    if not context.willLoadLayerOnCompletion(path):
        return False
    processor = StylePostProcessor(style)
    _HELD[path] = processor
    context.layerToLoadOnCompletionDetails(path).setPostProcessor(processor)
    return True


STYLES: Dict[str, Callable[[str], Callable[[QgsMapLayer], None]]] = {
    "classes": style_classes,
    "confidence": lambda path: styling.style_confidence_layer,
    "grid": lambda path: layers.style_grid_layer,
}
