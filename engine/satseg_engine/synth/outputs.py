"""Writers for `satseg sample`: GeoTIFF profiles, GDAL category names, label polygons."""

from __future__ import annotations

import math
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..geo.classtable import write_class_tag
from ..geo.grids import GPKG_OPTIONS
from .spectra import CLASSES

TIFF_OPTIONS = {"driver": "GTiff", "tiled": True, "blockxsize": 256, "blockysize": 256,
                "compress": "deflate", "num_threads": "all_cpus", "bigtiff": "if_safer"}


def scene_origin(crs: Any, width: int, height: int, pixel_size: float) -> tuple[float, float]:
    """Top-left corner: the scene centred on the middle of the CRS's area of use, rounded to km."""
    from pyproj import CRS, Transformer

    proj = CRS.from_user_input(crs.to_wkt(version="WKT2_2019"))
    centre_x = centre_y = 0.0
    area = proj.area_of_use
    if area is not None:
        lon = (area.west + area.east) / 2 if area.west <= area.east else area.west
        lat = (area.south + area.north) / 2
        to_crs = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
        x, y = to_crs.transform(lon, lat)
        if math.isfinite(x) and math.isfinite(y):
            centre_x, centre_y = x, y
    left = round((centre_x - width * pixel_size / 2) / 1000.0) * 1000.0
    top = round((centre_y + height * pixel_size / 2) / 1000.0) * 1000.0
    return left, top


def image_profile(width: int, height: int, count: int, crs: Any, transform: Any) -> dict:
    return {**TIFF_OPTIONS, "width": width, "height": height, "count": count,
            "dtype": "uint16", "nodata": 0, "crs": crs, "transform": transform, "predictor": 2,
            "interleave": "pixel"}


def label_profile(width: int, height: int, crs: Any, transform: Any) -> dict:
    return {**TIFF_OPTIONS, "width": width, "height": height, "count": 1, "dtype": "uint8",
            "nodata": 0, "crs": crs, "transform": transform}


def describe_labels(dataset: Any, classes: Sequence[tuple[int, str, str]] = CLASSES) -> None:
    """Colour table, class names tag and band description on an open label dataset."""
    colours = {0: (0, 0, 0, 0)}
    for value, _, colour in classes:
        colours[value] = (*(int(colour[i:i + 2], 16) for i in (1, 3, 5)), 255)
    dataset.write_colormap(1, colours)
    table = [{"value": v, "name": n, "colour": c} for v, n, c in classes]
    write_class_tag(dataset, table)  # where extract, predict and evaluate read it
    dataset.set_band_description(1, "class")


def write_category_names(tiff: Path, classes: Sequence[tuple[int, str, str]] = CLASSES
                         ) -> None:
    """GDAL category names (index = value) in the PAM sidecar `<tiff>.aux.xml`."""
    sidecar = Path(str(tiff) + ".aux.xml")
    root = ET.parse(sidecar).getroot() if sidecar.exists() else ET.Element("PAMDataset")
    band = root.find("PAMRasterBand[@band='1']")
    if band is None:
        band = ET.SubElement(root, "PAMRasterBand", band="1")
    for old in band.findall("CategoryNames"):
        band.remove(old)
    names = dict((value, name) for value, name, _ in classes)
    categories = ET.SubElement(band, "CategoryNames")
    for value in range(max(names) + 1):
        ET.SubElement(categories, "Category").text = names.get(value, "")
    ET.ElementTree(root).write(sidecar, encoding="unicode")


class PolygonWriter:
    """Appends label polygons of blocks to a GeoPackage layer `labels` (class, name)."""

    def __init__(self, path: Path, crs: Any, flush_every: int = 20000,
                 classes: Sequence[tuple[int, str, str]] = CLASSES):
        self.path, self.crs, self.flush_every = path, crs, flush_every
        self.names = {value: name for value, name, _ in classes}
        self.geometries: list[Any] = []
        self.values: list[int] = []
        self.written = 0

    def add(self, labels: np.ndarray, transform: Any) -> None:
        from rasterio.features import shapes
        from shapely.geometry import shape

        for geometry, value in shapes(labels, mask=labels > 0, connectivity=4,
                                      transform=transform):
            self.geometries.append(shape(geometry))
            self.values.append(int(value))
        if len(self.values) >= self.flush_every:
            self.flush()

    def flush(self, final: bool = False) -> None:
        if not self.values and not (final and self.written == 0):
            return
        import geopandas as gpd
        from pyogrio import write_dataframe

        frame = gpd.GeoDataFrame({"class": np.array(self.values, dtype=np.int32),
                                  "name": [self.names[v] for v in self.values]},
                                 geometry=self.geometries, crs=self.crs.to_string())
        with warnings.catch_warnings():  # the temporary name does not end in .gpkg
            warnings.filterwarnings("ignore", message=".*extension should be 'gpkg'")
            write_dataframe(frame, self.path, layer="labels", driver="GPKG",
                            append=self.written > 0, promote_to_multi=False,
                            geometry_type="Polygon",
                            dataset_options=None if self.written else GPKG_OPTIONS)
        self.written += len(self.values)
        self.geometries, self.values = [], []
