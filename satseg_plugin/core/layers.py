"""Layers ↔ engine: file paths of layers, class tables, the grid's style, loading outputs.

No widgets here. The engine reads files, so a layer is usable only when QGIS reads it from a
GDAL/OGR file; anything else (memory, web, database layers) is refused with a message that
says how to make it usable.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataProvider,
    QgsFillSymbol,
    QgsMapLayer,
    QgsPalettedRasterRenderer,
    QgsProject,
    QgsProviderRegistry,
    QgsRasterBandStats,
    QgsRasterLayer,
    QgsRectangle,
    QgsRendererCategory,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor

from ..gui.i18n import translate

#: providers whose layers are files the engine can open, by layer kind
FILE_PROVIDERS = {QgsMapLayer.RasterLayer: "gdal", QgsMapLayer.VectorLayer: "ogr"}
#: split value -> fill colour of the grid style (the empty split = unassigned cells)
SPLIT_COLOURS: Dict[str, str] = {"train": "#1f78b4", "validation": "#ff7f00",
                                 "test": "#e31a1c", "": "#9e9e9e"}
SPLIT_FILL_ALPHA = 80
#: colours given to classes that have none (ColorBrewer "Set1" + "Dark2")
PALETTE = ("#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3",
           "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99")
MAX_SCANNED_FEATURES = 20000
#: the ignore value of a class raster (never a class)
IGNORE_VALUE = 255
#: label rasters of more pixels are counted on a sample (the dialog stays quick)
MAX_COUNTED_PIXELS = 25_000_000
MAX_SAMPLED_PIXELS = 1_000_000
MAX_VALUE_RANGE = 65536
INTEGER_TYPES = (Qgis.Byte, Qgis.UInt16, Qgis.Int16, Qgis.UInt32, Qgis.Int32)


class InputError(ValueError):
    """A layer (or a choice in a dialog) the engine cannot use; the message says how to fix it."""


@dataclass
class ClassRow:
    """One row of a class table; an `ignored` row shows pixels that stay unlabelled (value 0
    of a label raster, black in a colour mask) until the user makes it a class."""

    value: int
    name: str
    colour: str
    ignored: bool = False
    note: str = ""

    def as_job(self) -> Dict[str, object]:
        return {"value": self.value, "name": self.name, "colour": self.colour}


# -- file sources -----------------------------------------------------------------------------
def file_source(layer: Optional[QgsMapLayer]) -> str:
    """The file a layer is read from (absolute path); InputError when there is none."""
    if layer is None:
        raise InputError(translate("satseg", "No layer is selected."))
    name = layer.name()
    provider = layer.providerType()
    if FILE_PROVIDERS.get(layer.type()) != provider:
        raise InputError(translate(
            "satseg", "Layer '{name}' is not read from a file (provider: {provider}). Save it "
                      "as a GeoTIFF or GeoPackage (right-click ▸ Export ▸ Save As…) and use the "
                      "saved layer.").format(name=name, provider=provider))
    parts = QgsProviderRegistry.instance().decodeUri(provider, layer.source())
    path = str(parts.get("path") or "")
    if not path or not os.path.isfile(path):
        raise InputError(translate(
            "satseg", "Layer '{name}' is not a local file ({source}). Save it as a GeoTIFF or "
                      "GeoPackage and use the saved layer.").format(name=name,
                                                                    source=layer.source()))
    if layer.type() == QgsMapLayer.RasterLayer and parts.get("layerName"):
        raise InputError(translate(
            "satseg", "Layer '{name}' is one raster inside a container file; export it as a "
                      "GeoTIFF (right-click ▸ Export ▸ Save As…).").format(name=name))
    if layer.type() == QgsMapLayer.VectorLayer:
        _check_vector_file(layer, parts)
    return os.path.abspath(path)


def _check_vector_file(layer: QgsVectorLayer, parts: Dict[str, object]) -> None:
    """The engine reads a vector file's first layer, whole and as saved on disk."""
    name = layer.name()
    if layer.subsetString():
        raise InputError(translate(
            "satseg", "Layer '{name}' has a filter; the engine would read all its features. "
                      "Save the filtered features to a new file and use that layer.").format(
            name=name))
    if layer.isEditable() and layer.isModified():
        raise InputError(translate(
            "satseg", "Layer '{name}' has unsaved edits. Save them first (Toggle Editing ▸ "
                      "Save).").format(name=name))
    sublayer = parts.get("layerName") or ""
    if sublayer:
        names = vector_sublayer_names(str(parts.get("path")))
        if len(names) > 1 and names[0] != sublayer:
            raise InputError(translate(
                "satseg", "Layer '{name}' is not the first layer of its file, and the engine "
                          "reads the first one. Save it to a file of its own.").format(name=name))


def vector_sublayer_names(path: str) -> List[str]:
    """Names of the layers of a vector file, in file order."""
    probe = QgsVectorLayer(path, "probe", "ogr")
    names = []
    for description in probe.dataProvider().subLayers() if probe.isValid() else []:
        fields = description.split(QgsDataProvider.SUBLAYER_SEPARATOR)
        if len(fields) > 1:
            names.append(fields[1])
    return names


# -- class tables -----------------------------------------------------------------------------
def raster_classes(layer: QgsRasterLayer) -> List[ClassRow]:
    """Classes of a label raster: its colour table and category names (band 1).

    Colour-table entries that are neither named nor coloured (GDAL pads tables to 256 black
    entries) and the nodata value are left out. A raster without a colour table gives its
    values 1–254. Value 0 present without a class comes first as an `ignored` row (the engine
    reads it as unlabelled) that the user can make a class.
    """
    renderer = layer.renderer()
    if isinstance(renderer, QgsPalettedRasterRenderer):
        items = [(int(c.value), c.label, c.color) for c in renderer.classes()]
    else:
        ramp = layer.dataProvider().colorTable(1) or []
        items = [(int(i.value), i.label, i.color) for i in ramp]
    provider = layer.dataProvider()
    nodata = (provider.sourceNoDataValue(1) if provider.sourceHasNoDataValue(1) else None)
    rows = []
    for value, label, colour in items:
        if (nodata is not None and value == nodata) or not 0 <= value <= 254:
            continue
        named = bool(label) and label != str(value)
        painted = colour.alpha() > 0 and (colour.red(), colour.green(), colour.blue()) != (0, 0, 0)
        if named or painted:
            rows.append(ClassRow(value, label if named else f"class {value}", colour.name()))
    counts = value_counts(layer)
    if not rows:  # no colour table: the values found, as the engine numbers them
        found = [v for v in sorted(counts) if 1 <= v <= 254]
        rows = [ClassRow(v, f"class {v}", PALETTE[i % len(PALETTE)])
                for i, v in enumerate(found)]
    total = sum(n for v, n in counts.items() if v != IGNORE_VALUE)
    if counts.get(0) and all(r.value != 0 for r in rows):
        share = 100 * counts[0] / total
        rows.insert(0, ClassRow(0, "class 0", "#000000", ignored=True, note=translate(
            "satseg", "Value 0 covers {share:.1f} % of the pixels and stays unlabelled: the "
                      "raster has no nodata value 0 and no class 0. Tick 'Class' if 0 is a "
                      "class.").format(share=share)))
    return rows


def value_counts(layer: QgsRasterLayer) -> Dict[int, int]:
    """{value: pixel count} of band 1 of an integer raster, nodata left out ({} for other
    rasters or ranges wider than MAX_VALUE_RANGE); a sample of large rasters."""
    provider = layer.dataProvider()
    if provider.dataType(1) not in INTEGER_TYPES:
        return {}
    pixels = layer.width() * layer.height()
    sample = 0 if pixels <= MAX_COUNTED_PIXELS else MAX_COUNTED_PIXELS
    stats = provider.bandStatistics(1, QgsRasterBandStats.Min | QgsRasterBandStats.Max,
                                    QgsRectangle(), sample)
    if not (math.isfinite(stats.minimumValue) and math.isfinite(stats.maximumValue)):
        return {}  # nothing but nodata
    low, high = int(stats.minimumValue), int(stats.maximumValue)
    if not 0 <= high - low < MAX_VALUE_RANGE:
        return {}
    histogram = provider.histogram(1, high - low + 1, low - 0.5, high + 0.5, QgsRectangle(),
                                   sample)
    return {low + i: n for i, n in enumerate(histogram.histogramVector) if n}


def colour_mask_rows(layer: QgsRasterLayer) -> List[ClassRow]:
    """The black row of an 8-bit RGB(A) colour mask whose black pixels would stay unlabelled
    (a sample of large masks); [] when there are none."""
    provider = layer.dataProvider()
    if layer.bandCount() < 3 or provider.dataType(1) != Qgis.Byte:
        return []
    scale = max(1.0, math.sqrt(layer.width() * layer.height() / MAX_SAMPLED_PIXELS))
    width, height = max(1, int(layer.width() / scale)), max(1, int(layer.height() / scale))
    bands = []
    for band in range(1, min(4, layer.bandCount()) + 1):
        block = provider.block(band, provider.extent(), width, height)
        bands.append(bytes(block.data()))  # copied while `block` (which owns the data) lives
    count = width * height
    ored = int.from_bytes(bands[0], "little") | int.from_bytes(bands[1], "little") | \
        int.from_bytes(bands[2], "little")
    rgb = ored.to_bytes(count, "little")  # 0 where the pixel is black
    black, valid = rgb.count(0), count
    if len(bands) == 4:  # alpha 0 = unlabelled anyway
        alpha = int.from_bytes(bands[3], "little")
        black -= (ored | alpha).to_bytes(count, "little").count(0)
        valid -= bands[3].count(0)
    if black <= 0 or valid <= 0:
        return []
    return [ClassRow(0, translate("satseg", "black"), "#000000", ignored=True, note=translate(
        "satseg", "Black covers {share:.1f} % of the mask and stays unlabelled: no class has the "
                  "colour #000000. Tick 'Class' if black is a class.").format(
        share=100 * black / valid))]


def vector_classes(layer: QgsVectorLayer, field: str) -> List[ClassRow]:
    """Classes from the distinct values of a vector field.

    Whole-number values keep their value (their name comes from a text field that names each
    value consistently, e.g. `name`, when there is one); text values are numbered 1..n in
    sorted order, as the engine numbers them. Colours come from a categorised style on the
    field, else a palette.
    """
    index = layer.fields().indexOf(field)
    if index < 0:
        return []
    raw = [v for v in layer.uniqueValues(index) if v is not None and str(v) != "NULL"]
    styled = _style_colours(layer, field)
    if all(_is_whole(v) for v in raw):
        values = sorted({int(float(v)) for v in raw})
        names = _names_for_values(layer, field, values)
        return [ClassRow(v, names.get(v, f"class {v}"),
                         styled.get(str(v), PALETTE[i % len(PALETTE)]))
                for i, v in enumerate(values)]
    texts = sorted({str(v) for v in raw})
    return [ClassRow(i + 1, t, styled.get(t, PALETTE[i % len(PALETTE)]))
            for i, t in enumerate(texts)]


def _is_whole(value: object) -> bool:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and number.is_integer() and not isinstance(value, str)


def _style_colours(layer: QgsVectorLayer, field: str) -> Dict[str, str]:
    renderer = layer.renderer()
    if not isinstance(renderer, QgsCategorizedSymbolRenderer) or \
            renderer.classAttribute() != field:
        return {}
    out = {}
    for category in renderer.categories():
        value = category.value()
        key = str(int(value)) if _is_whole(value) else str(value)
        out[key] = category.symbol().color().name()
    return out


def _names_for_values(layer: QgsVectorLayer, field: str, values: Sequence[int]
                      ) -> Dict[int, str]:
    """value -> name from the first text field that gives every value exactly one name."""
    if layer.featureCount() > MAX_SCANNED_FEATURES:
        return {}
    text_fields = [f.name() for f in layer.fields() if f.type() == 10 and f.name() != field]
    if not text_fields:
        return {}
    seen: Dict[str, Dict[int, set]] = {name: {} for name in text_fields}
    for feature in layer.getFeatures():
        value = feature[field]
        if not _is_whole(value):
            continue
        for name in text_fields:
            text = feature[name]
            if text is not None and str(text) != "NULL" and str(text).strip():
                seen[name].setdefault(int(float(value)), set()).add(str(text).strip())
    for name in text_fields:
        mapping = seen[name]
        if set(mapping) == set(values) and all(len(s) == 1 for s in mapping.values()):
            return {value: next(iter(names)) for value, names in mapping.items()}
    return {}


# -- geometry helpers -------------------------------------------------------------------------
def pixel_size(layer: QgsRasterLayer) -> Tuple[float, str]:
    """(pixel width in map units, unit abbreviation) of a raster."""
    units = QgsUnitTypes.toAbbreviatedString(layer.crs().mapUnits())
    return layer.rasterUnitsPerPixelX(), units


def patch_size_text(layer: Optional[QgsRasterLayer], pixels: int) -> str:
    """'256 px = 2 560 m' for a 10 m raster; just '256 px' without one."""
    if layer is None or not layer.isValid():
        return f"{pixels} px"
    size, units = pixel_size(layer)
    ground = size * pixels
    text = (f"{ground:,.0f}".replace(",", "\u202f") if ground >= 10
            else f"{ground:.6g}")
    return f"{pixels} px = {text} {units}".rstrip()


def extent_in_crs(rectangle: QgsRectangle, source: QgsCoordinateReferenceSystem,
                  target: QgsCoordinateReferenceSystem) -> List[float]:
    """[xmin, ymin, xmax, ymax] of `rectangle` (in `source`) as a rectangle in `target`."""
    if source.isValid() and target.isValid() and source != target:
        transform = QgsCoordinateTransform(source, target, QgsProject.instance())
        rectangle = transform.transformBoundingBox(rectangle)
    return [rectangle.xMinimum(), rectangle.yMinimum(), rectangle.xMaximum(),
            rectangle.yMaximum()]


# -- outputs ----------------------------------------------------------------------------------
def split_texts() -> Dict[str, str]:
    """split value -> what users read ("" = unassigned)."""
    return {"train": translate("satseg", "train"),
            "validation": translate("satseg", "validation"),
            "test": translate("satseg", "test"),
            "": translate("satseg", "unassigned")}


def style_grid_layer(layer: QgsVectorLayer, field: str = "split") -> None:
    """Categorise a grid layer by split: train/validation/test (and unassigned cells when the
    layer has some), semi-transparent fills, solid outlines."""
    present = {str(v) for v in layer.uniqueValues(layer.fields().indexOf(field))
               if v is not None and str(v) != "NULL"}
    has_unassigned = bool(present & {""}) or any(
        v is None or str(v) == "NULL" for v in layer.uniqueValues(layer.fields().indexOf(field)))
    labels = split_texts()
    categories = []
    for value, colour in SPLIT_COLOURS.items():
        if value == "" and not has_unassigned:
            continue
        categories.append(QgsRendererCategory(value, _cell_symbol(colour), labels[value]))
    layer.setRenderer(QgsCategorizedSymbolRenderer(field, categories))
    layer.triggerRepaint()


def _cell_symbol(colour: str) -> QgsFillSymbol:
    fill = QColor(colour)
    fill.setAlpha(SPLIT_FILL_ALPHA)
    return QgsFillSymbol.createSimple({"color": ",".join(str(c) for c in fill.getRgb()),
                                       "outline_color": colour, "outline_width": "0.4"})


def layers_with_file(path: str) -> List[QgsMapLayer]:
    """Project layers read from `path`."""
    target = os.path.abspath(path)
    out = []
    for layer in QgsProject.instance().mapLayers().values():
        parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
        source = str(parts.get("path") or "")
        if source and os.path.abspath(source) == target:
            out.append(layer)
    return out


def load_grid(path: str, name: str, replace: bool = True) -> QgsVectorLayer:
    """Add a grid GeoPackage to the project, styled by split (replacing layers of that file)."""
    if replace:
        stale = [layer.id() for layer in layers_with_file(path)]
        if stale:
            QgsProject.instance().removeMapLayers(stale)
    layer = QgsVectorLayer(f"{path}|layername=grid", name, "ogr")
    if not layer.isValid():
        raise InputError(translate("satseg", "QGIS could not open the grid {path}.").format(
            path=path))
    style_grid_layer(layer)
    QgsProject.instance().addMapLayer(layer)
    return layer


def batch_pattern(paths: Sequence[str]) -> Tuple[str, str]:
    """(folder, pattern with one *) matching exactly the files `paths` in their folder, for the
    engine's batch mode; InputError when no such pattern exists."""
    folders = {os.path.dirname(p) for p in paths}
    if len(folders) != 1:
        raise InputError(translate(
            "satseg", "Several images are extracted together when they lie in one folder; "
                      "these are in {count} folders. Move them into one folder, or extract "
                      "them one at a time.").format(count=len(folders)))
    folder = folders.pop()
    names = sorted(os.path.basename(p) for p in paths)
    prefix = os.path.commonprefix(names)  # noqa: RUF071 - text, not paths
    suffix = os.path.commonprefix(  # noqa: RUF071 - text, not paths
        [n[len(prefix):][::-1] for n in names])[::-1]
    pattern = f"{prefix}*{suffix}"
    regex = re.compile(re.escape(prefix) + "(.+)" + re.escape(suffix) + "$")
    matched = sorted(n for n in os.listdir(folder)
                     if regex.match(n) and os.path.isfile(os.path.join(folder, n)))
    if matched != names:
        extra = [n for n in matched if n not in names]
        raise InputError(translate(
            "satseg", "The engine takes several images as a name pattern in one folder, and "
                      "{pattern} also matches {extra}. Tick those images too, or extract "
                      "the images one at a time.").format(pattern=pattern,
                                                         extra=", ".join(extra[:5])))
    return folder, pattern


def likely_image(active: Optional[QgsMapLayer] = None) -> Optional[QgsRasterLayer]:
    """A sensible default image: the active raster unless it is a class map, else the
    project's first raster that is not a class map."""
    candidates = [active, *QgsProject.instance().mapLayers().values()]
    for layer in candidates:
        if isinstance(layer, QgsRasterLayer) and not is_class_raster(layer):
            return layer
    return None


def likely_labels() -> Optional[QgsRasterLayer]:
    """A sensible default label layer: the project's first class raster (paletted)."""
    for layer in QgsProject.instance().mapLayers().values():
        if isinstance(layer, QgsRasterLayer) and is_class_raster(layer):
            return layer
    return None


def is_class_raster(layer: QgsRasterLayer) -> bool:
    """A one-band raster shown with a palette (a colour table): class values, not an image."""
    return layer.bandCount() == 1 and isinstance(layer.renderer(), QgsPalettedRasterRenderer)
