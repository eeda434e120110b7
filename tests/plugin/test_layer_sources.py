"""Layers from any GDAL/OGR file resolve to the file the engine reads; others are refused."""

from __future__ import annotations

import os

import pytest
from osgeo import gdal, ogr
from qgis.core import QgsRasterLayer, QgsVectorLayer

from satseg_plugin.core.layers import InputError, file_source


@pytest.fixture
def files(tmp_path):
    tif = str(tmp_path / "scene.tif")
    dataset = gdal.GetDriverByName("GTiff").Create(tif, 16, 16, 3, gdal.GDT_UInt16)
    dataset.SetGeoTransform((500000, 10, 0, 4650000, 0, -10))
    dataset = None
    vrt = str(tmp_path / "scene.vrt")
    gdal.BuildVRT(vrt, [tif]).FlushCache()
    gpkg = str(tmp_path / "labels.gpkg")
    shp = str(tmp_path / "labels.shp")
    for path, driver in ((gpkg, "GPKG"), (shp, "ESRI Shapefile")):
        source = ogr.GetDriverByName(driver).CreateDataSource(path)
        layer = source.CreateLayer("labels", geom_type=ogr.wkbPolygon)
        layer.CreateField(ogr.FieldDefn("class", ogr.OFTInteger))
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("class", 1)
        feature.SetGeometry(ogr.CreateGeometryFromWkt(
            "POLYGON((500000 4649900,500100 4649900,500100 4650000,500000 4649900))"))
        layer.CreateFeature(feature)
        source = None
    return {"tif": tif, "vrt": vrt, "gpkg": gpkg, "shp": shp}


@pytest.mark.parametrize("kind", ["tif", "vrt"])
def test_raster_layers_from_files(qgis_app, files, kind):
    layer = QgsRasterLayer(files[kind], kind, "gdal")
    assert layer.isValid()
    assert file_source(layer) == os.path.abspath(files[kind])


@pytest.mark.parametrize("kind, uri", [("gpkg", "{}|layername=labels"), ("shp", "{}")])
def test_vector_layers_from_files(qgis_app, files, kind, uri):
    layer = QgsVectorLayer(uri.format(files[kind]), kind, "ogr")
    assert layer.isValid()
    assert file_source(layer) == os.path.abspath(files[kind])


def test_a_memory_layer_is_refused_with_the_fix(qgis_app):
    layer = QgsVectorLayer("Polygon?crs=EPSG:32632", "scratch", "memory")
    with pytest.raises(InputError, match="Save it as a GeoTIFF or GeoPackage"):
        file_source(layer)
