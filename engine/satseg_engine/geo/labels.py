"""Label sources read on an image's pixel grid, one cell at a time.

Kinds (registry `READERS`):
* `raster`: a class raster (one band of integer class values). On another grid (CRS, transform,
  pixel size or size), it is warped onto the image grid on the fly (GDAL WarpedVRT, nearest
  neighbour) and a warning is emitted — or refused (`label_grid_mismatch`) with
  `label_resampling="refuse"`.
* `vector`: polygons with an integer (or text) class field, reprojected to the image CRS and
  rasterised per cell on the image grid (all_touched=False: a pixel is labelled when its centre
  is inside; where polygons overlap, the later feature wins).
* `colour`: an RGB(A) colour-coded mask; each colour maps to the class with that colour in the
  class table (alpha 0 = unlabelled).

Every reader returns uint8 class values with IGNORE (255) for "no label": the label raster's
nodata, 255 itself, value 0 (or black in a colour mask) when the class table has no class 0
(never silently: `prepare` warns with its pixel share and the fix), and pixels outside the
label source. Values not in the class table raise `unknown_labels`
(listing them), or become IGNORE with `unknown_labels="ignore"`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import SatsegError
from .classtable import (
    black_share,
    colour_table,
    dropped_zero_message,
    raster_value_counts,
    read_class_tag,
    rgb_to_hex,
    zero_share,
)
from .tiling import Cell

IGNORE = 255
VECTOR_SUFFIXES = {".gpkg", ".shp", ".geojson", ".json", ".fgb", ".kml", ".gml", ".sqlite",
                   ".gdb", ".tab", ".mif"}
PALETTE = ("#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3",
           "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99")


@dataclasses.dataclass(frozen=True)
class LabelSpec:
    """Plain, picklable description of a label source (worker processes reopen it)."""

    path: str
    kind: str
    classes: tuple[tuple[int, str, str], ...]  # (value, name, colour)
    field: str = "class"
    unknown: str = "error"
    name_values: tuple[tuple[str, int], ...] = ()  # text field value -> class value

    @property
    def values(self) -> list[int]:
        return [c[0] for c in self.classes]


def detect_kind(path: Path, kind: str) -> str:
    """`auto`: vector for OGR vector suffixes, colour for 3-4 band uint8 rasters, else raster."""
    if kind != "auto":
        return kind
    if path.suffix.lower() in VECTOR_SUFFIXES or path.is_dir():
        return "vector"
    import rasterio

    with rasterio.open(path) as src:
        if src.count in (3, 4) and src.dtypes[0] == "uint8":
            return "colour"
    return "raster"


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    if len(text) != 6:
        raise SatsegError("bad_colour", f"class colour '{colour}' is not #rrggbb",
                          key="classes", hint="write colours as #rrggbb, e.g. #1f78b4")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


# -- mapping values to classes -------------------------------------------------------------

def map_values(data: np.ndarray, spec: LabelSpec, nodata: float | None, where: str
               ) -> np.ndarray:
    """Raw label values -> uint8 class values / IGNORE; unknown values per `spec.unknown`."""
    values = spec.values
    out = np.full(data.shape, IGNORE, dtype=np.uint8)
    known = np.isin(data, values)
    out[known] = data[known]
    ignore = data == IGNORE
    if nodata is not None:
        ignore |= np.isnan(data) if np.isnan(nodata) else data == nodata
    if 0 not in values:
        ignore |= data == 0
    if np.issubdtype(data.dtype, np.floating):
        ignore |= np.isnan(data)
    unknown = ~(known | ignore)
    if unknown.any() and spec.unknown == "error":
        raise unknown_error(np.unique(data[unknown]).tolist(), values, where)
    return out


def unknown_error(found: list[Any], values: list[int], where: str) -> SatsegError:
    shown = ", ".join(str(v) for v in found[:20]) + (" …" if len(found) > 20 else "")
    return SatsegError("unknown_labels", f"label values not in the class table ({where}): "
                       f"{shown}; the class table has {values}", key="classes",
                       hint="add these values to 'classes', or set unknown_labels to 'ignore' to "
                            "treat them as unlabelled")


# -- readers -------------------------------------------------------------------------------

class RasterLabels:
    """Class raster (or colour mask) read on the image grid, warped when the grids differ."""

    def __init__(self, spec: LabelSpec, image: Any):
        import rasterio
        from rasterio.enums import Resampling
        from rasterio.vrt import WarpedVRT

        from .rasters import same_grid

        self.spec = spec
        self.src = rasterio.open(spec.path)
        self.nodata = self.src.nodata
        self.reader = self.src
        self.warped = not same_grid(self.src, image)
        if self.warped:
            fill = self.nodata if self.nodata is not None else (
                0 if spec.kind == "colour" else IGNORE)
            self.reader = WarpedVRT(self.src, crs=image.crs, transform=image.transform,
                                    width=image.width, height=image.height,
                                    resampling=Resampling.nearest, src_nodata=self.nodata,
                                    nodata=fill)
            self.nodata = fill

    def read(self, cell: Cell) -> np.ndarray:
        from .rasters import cell_window

        window = cell_window(cell)
        where = f"{Path(self.spec.path).name}, rows {cell.row_off}-{cell.row_end}, " \
                f"cols {cell.col_off}-{cell.col_end}"
        if self.spec.kind == "colour":
            return self._read_colour(window, where)
        return map_values(self.reader.read(1, window=window), self.spec, self.nodata, where)

    def _read_colour(self, window: Any, where: str) -> np.ndarray:
        rgb = self.reader.read([1, 2, 3], window=window).astype(np.uint32)
        code = (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]
        out = np.full(code.shape, IGNORE, dtype=np.uint8)
        table = {}
        for value, _, colour in self.spec.classes:
            r, g, b = hex_to_rgb(colour)
            table[(r << 16) | (g << 8) | b] = value
        uniq, inverse = np.unique(code, return_inverse=True)
        mapped = np.array([table.get(int(u), -1) for u in uniq], dtype=np.int32)
        if 0 not in table:
            mapped[uniq == 0] = IGNORE  # black = unlabelled unless a class is black
        unknown = mapped < 0
        if unknown.any() and self.spec.unknown == "error":
            found = [rgb_to_hex(((int(u) >> 16) & 255, (int(u) >> 8) & 255, int(u) & 255))
                     for u in uniq[unknown]]
            raise SatsegError("unknown_labels", f"colours not in the class table ({where}): "
                              f"{', '.join(found[:20])}", key="classes",
                              hint="give every colour of the mask a class in 'classes' "
                                   "(value, name, colour), or set unknown_labels to 'ignore'")
        mapped[unknown] = IGNORE
        out[:] = mapped[inverse.reshape(code.shape)]
        masks = self.reader.read_masks(1, window=window)
        out[masks == 0] = IGNORE
        if self.reader.count >= 4:
            out[self.reader.read(4, window=window) == 0] = IGNORE
        return out

    def close(self) -> None:
        if self.reader is not self.src:
            self.reader.close()
        self.src.close()


class VectorLabels:
    """Polygons with a class field, rasterised per cell on the image grid."""

    def __init__(self, spec: LabelSpec, image: Any):
        self.spec = spec
        self.transform = image.transform
        frame = read_vector(Path(spec.path), "labels", image.crs)
        names = dict(spec.name_values)
        raw = frame[spec.field]
        values = raw.map(lambda v: names.get(str(v), -1)) if names else raw
        self.shapes = list(frame.geometry)
        self.values = [int(v) for v in values]
        import shapely

        self.tree = shapely.STRtree(self.shapes)

    def read(self, cell: Cell) -> np.ndarray:
        import shapely
        from rasterio.features import rasterize
        from rasterio.windows import Window, transform

        from .rasters import cell_bounds

        box = shapely.box(*cell_bounds(self.transform, cell))
        hits = np.sort(self.tree.query(box, predicate="intersects"))
        if len(hits) == 0:
            return np.full((cell.size, cell.size), IGNORE, dtype=np.uint8)
        window_transform = transform(Window(cell.col_off, cell.row_off, cell.size, cell.size),
                                     self.transform)
        return rasterize(((self.shapes[i], self.values[i]) for i in hits),
                         out_shape=(cell.size, cell.size), transform=window_transform,
                         fill=IGNORE, all_touched=False, dtype="uint8")

    def close(self) -> None:
        self.shapes = []


READERS: dict[str, Callable[[LabelSpec, Any], Any]] = {
    "raster": RasterLabels,
    "colour": RasterLabels,
    "vector": VectorLabels,
}


def open_reader(spec: LabelSpec, image: Any) -> Any:
    return READERS[spec.kind](spec, image)


# -- vector files and class tables ----------------------------------------------------------

def read_vector(path: Path, key: str, crs: Any) -> Any:
    """Read any OGR vector and reproject it to `crs`; a layer without a CRS is refused."""
    import geopandas as gpd

    if not Path(path).exists():
        raise SatsegError("file_not_found", f"{key}: {path} does not exist", key=key,
                          hint="check the path")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is the same user problem
        raise SatsegError("not_a_vector", f"{key}: {path} is not a vector file OGR can read "
                          f"({exc})", key=key,
                          hint="give a GeoPackage, Shapefile or GeoJSON") from None
    if frame.crs is None:
        raise SatsegError("no_crs", f"{key}: {path} has no coordinate reference system, so it "
                          f"cannot be placed on the raster", key=key,
                          hint="assign its CRS in QGIS (Layer properties ▸ Source) and save it")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    return frame.to_crs(crs) if crs is not None and frame.crs != crs else frame


def classes_from_tag(src: Any) -> list[tuple[int, str, str]] | None:
    """Class table from the `satseg_classes` tag (see classtable.py)."""
    items = read_class_tag(src)
    if not items:
        return None
    return [(c["value"], c["name"], c.get("colour") or PALETTE[i % len(PALETTE)])
            for i, c in enumerate(items)]


def default_raster_classes(src: Any, values: np.ndarray) -> list[tuple[int, str, str]]:
    """Classes of a label raster: its `satseg_classes` tag, else its values and colour table."""
    tagged = classes_from_tag(src)
    if tagged:
        return tagged
    colours = colour_table(src)
    skip = {IGNORE, 0} | ({int(src.nodata)} if src.nodata is not None else set())
    out = []
    kept = [int(v) for v in values if float(v).is_integer() and int(v) not in skip]
    for i, v in enumerate(kept):
        colour = colours.get(v, PALETTE[i % len(PALETTE)])
        out.append((v, f"class_{v}", colour))
    return out


def vector_classes(frame: Any, field: str, given: list[tuple[int, str, str]]
                   ) -> tuple[list[tuple[int, str, str]], dict[str, int]]:
    """Class table and text->value mapping for a vector's class field."""
    if field not in frame.columns:
        raise SatsegError("missing_field", f"labels: the vector has no field '{field}' (fields: "
                          f"{', '.join(c for c in frame.columns if c != 'geometry')})",
                          key="label_field", hint="set label_field to the class attribute")
    raw = frame[field].dropna().unique().tolist()
    numeric = all(isinstance(v, (int, np.integer)) or (isinstance(v, float) and v.is_integer())
                  for v in raw)
    if numeric:
        found = sorted({int(v) for v in raw})
        if given:
            return given, {}
        return [(v, f"class_{v}", PALETTE[i % len(PALETTE)]) for i, v in enumerate(found)], {}
    names = sorted(str(v) for v in raw)
    if given:
        by_name = {name: value for value, name, _ in given}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise unknown_error(missing, [v for v, _, _ in given], f"field '{field}'")
        return given, {n: by_name[n] for n in names}
    table = [(i + 1, n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]
    return table, {n: i + 1 for i, n in enumerate(names)}


def check_class_values(classes: list[tuple[int, str, str]]) -> None:
    """Class values must be distinct integers 0..254 (255 is the ignore value)."""
    values = [v for v, _, _ in classes]
    bad = [v for v in values if not 0 <= v <= 254]
    if bad or len(set(values)) != len(values):
        raise SatsegError("bad_classes", f"class values must be distinct integers 0–254, got "
                          f"{values}", key="classes", hint="255 is reserved for 'ignore'")


def prepare(path: Path, image: Any, *, kind: str, classes: list[tuple[int, str, str]],
            field: str, unknown: str, resampling: str, warn: Callable[[str], None]) -> LabelSpec:
    """Check a label source against an image and settle its class table, before any writing."""
    path = Path(path)
    if not path.exists():
        raise SatsegError("file_not_found", f"labels: {path} does not exist", key="labels",
                          hint="check the path")
    kind = detect_kind(path, kind)
    if classes:
        check_class_values(classes)
    if kind == "vector":
        frame = read_vector(path, "labels", image.crs)
        table, names = vector_classes(frame, field, classes)
        if not names:
            found = sorted({int(v) for v in frame[field].dropna()})
            extra = [v for v in found if v not in {c[0] for c in table}]
            if extra and unknown == "error":
                raise unknown_error(extra, [c[0] for c in table], f"field '{field}'")
        check_class_values(table)
        if len(frame) and not _bounds_overlap(tuple(frame.total_bounds), image.bounds):
            raise _outside(path, image)
        return LabelSpec(str(path.resolve()), kind, tuple(table), field, unknown,
                         tuple(sorted(names.items())))
    from .rasters import check_grid, open_raster, pixel_size, same_grid

    with open_raster(path, "labels") as src:
        check_grid(src, "labels")
        if not same_grid(src, image):
            what = (f"CRS {src.crs} vs {image.crs}" if src.crs != image.crs else
                    f"pixel size {pixel_size(src)} vs {pixel_size(image)}"
                    if pixel_size(src) != pixel_size(image) else "grid origin or size")
            if resampling == "refuse":
                raise SatsegError("label_grid_mismatch", f"labels {path.name} are not on the "
                                  f"pixel grid of image {Path(image.name).name} ({what})",
                                  key="labels", hint="resample the labels onto the image grid, "
                                  "or set label_resampling to 'warp'")
            warn(f"labels {path.name} are not on the pixel grid of {Path(image.name).name} "
                 f"({what}): warped onto the image grid with nearest neighbour")
        from rasterio.warp import transform_bounds

        bounds = transform_bounds(src.crs, image.crs, *src.bounds, densify_pts=21)
        if not _bounds_overlap(bounds, image.bounds):
            raise _outside(path, image)
        if kind == "colour":
            if not classes:
                raise SatsegError("missing_classes", f"labels {path.name} is a colour mask: the "
                                  f"class table must give each class its colour", key="classes",
                                  hint='set classes, e.g. [{"value": 1, "name": "water", '
                                       '"colour": "#0000ff"}]')
            if src.count < 3:
                raise SatsegError("bad_labels", f"colour mask {path.name} has {src.count} "
                                  f"band(s); an RGB mask needs 3 (or 4 with alpha)",
                                  key="label_kind", hint="use label_kind 'raster' for a class "
                                                         "raster")
            if not any(hex_to_rgb(colour) == (0, 0, 0) for _, _, colour in classes):
                _warn_dropped(warn, path.name, black_share(src), colour=True)
            return LabelSpec(str(path.resolve()), kind, tuple(classes), field, unknown)
        counts = raster_value_counts(src)
        values = np.array(sorted(counts))
        table = classes or default_raster_classes(src, values)
        check_class_values(table)
        if 0 not in {c[0] for c in table}:
            _warn_dropped(warn, path.name, zero_share(counts, src.nodata, IGNORE), colour=False)
        spec = LabelSpec(str(path.resolve()), kind, tuple(table), field, unknown)
        if unknown == "error":
            map_values(values, spec, src.nodata, f"{path.name}")
        return spec


def _warn_dropped(warn: Callable[[str], None], name: str, share: float, colour: bool) -> None:
    """Value 0 (black) read as unlabelled is said, with its share and the fix (never silent)."""
    if share > 0:
        warn(dropped_zero_message(name, share, colour))


def _bounds_overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _outside(path: Path, image: Any) -> SatsegError:
    return SatsegError("labels_outside", f"labels {path.name} do not overlap image "
                       f"{Path(image.name).name}", key="labels",
                       hint="check that the labels belong to this image and their CRS is right")
