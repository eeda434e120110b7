"""The polygons GeoPackage (docs/formats.md, "Polygons"): features appended batch by batch.

Geometries arrive in pixel coordinates and are mapped through the raster's transform here, so
a vertex shared by two polygons gets the same map coordinates in both.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .classes import describe
from .seams import Piece

LAYER = "polygons"
FIELDS = ("class_value", "class_name", "colour", "pixels", "area", "mean_confidence")
#: GeoPackage 1.2: what QGIS 3.22's GDAL reads without a "partially supported" warning
GPKG_OPTIONS = {"VERSION": "1.2"}
BATCH = 20_000


class PolygonWriter:
    """Appends features to layer `polygons` of a new GeoPackage and counts them per class."""

    def __init__(self, path: Path, crs_wkt: str | None, transform: Any,
                 table: Mapping[int, Mapping[str, str]], colours: Mapping[int, str],
                 with_confidence: bool, meta: Mapping[str, Any]):
        self.path = path
        self.crs = crs_wkt
        self.transform = transform
        self.table = table
        self.colours = colours
        self.with_confidence = with_confidence
        self.meta = dict(meta)
        self.pixel_area = abs(transform.a * transform.e - transform.b * transform.d)
        self.batch: list[Piece] = []
        self.created = False
        self.per_class: dict[int, dict[str, Any]] = {}

    def add(self, pieces: Sequence[Piece]) -> None:
        self.batch.extend(pieces)
        for piece in pieces:
            entry = self.per_class.setdefault(piece.value, {"features": 0, "pixels": 0})
            entry["features"] += 1
            entry["pixels"] += int(piece.pixels)
        if len(self.batch) >= BATCH:
            self.flush()

    def _to_map(self, coords: np.ndarray) -> np.ndarray:
        t = self.transform
        return np.column_stack((t.a * coords[:, 0] + t.b * coords[:, 1] + t.c,
                                t.d * coords[:, 0] + t.e * coords[:, 1] + t.f))

    def flush(self) -> None:
        """Write the pending features (creates the layer on the first call, even if empty)."""
        if not self.batch and self.created:
            return
        import pyogrio.raw
        import shapely

        pieces, self.batch = self.batch, []
        geometries = shapely.transform(np.array([p.geometry for p in pieces], dtype=object),
                                       self._to_map)
        values = np.array([p.value for p in pieces], dtype=np.int64)
        known = {int(v): describe(self.table, int(v), self.colours) for v in set(values.tolist())}
        names = [known[v] for v in values.tolist()]
        pixels = np.array([p.pixels for p in pieces], dtype=np.int64)
        confidence = np.array([p.confidence_sum / p.confidence_pixels if p.confidence_pixels
                               else np.nan for p in pieces], dtype=np.float64)
        data = [values, np.array([n["name"] for n in names], dtype=object),
                np.array([n["colour"] for n in names], dtype=object), pixels,
                pixels.astype(np.float64) * self.pixel_area, confidence]
        options: dict[str, Any] = {}
        if not self.created:
            options = {"dataset_options": GPKG_OPTIONS,
                       "layer_options": {"DESCRIPTION": json.dumps(self.meta)}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # temporary name lacks .gpkg
            pyogrio.raw.write(self.path, shapely.to_wkb(geometries), data, list(FIELDS),
                              layer=LAYER, driver="GPKG", geometry_type="Polygon",
                              crs=self.crs, append=self.created, **options)
        self.created = True

    def close(self) -> None:
        """Write what is left; an empty run still leaves an empty layer."""
        self.flush()

    def class_summary(self) -> list[dict[str, Any]]:
        """Per class present: value, name, colour, features, pixels, area."""
        out = []
        for value in sorted(self.per_class):
            entry = self.per_class[value]
            out.append({"value": value, **describe(self.table, value, self.colours),
                        "features": entry["features"], "pixels": entry["pixels"],
                        "area": entry["pixels"] * self.pixel_area})
        return out


def read_meta(path: Path) -> dict[str, Any]:
    """The layer's metadata (its description, JSON)."""
    import pyogrio

    info = pyogrio.read_info(path, layer=LAYER)
    return json.loads((info.get("layer_metadata") or {}).get("DESCRIPTION") or "{}")
