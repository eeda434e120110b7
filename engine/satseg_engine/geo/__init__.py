"""Rasters, labels and grids: the geometry every later stage relies on, and the grid stage.

Owns rasters (opening, pixel grids, bands, nodata, cell windows), labels (class rasters, vector
polygons and colour masks mapped to class values, warped onto an image's grid), classtable (the
`satseg_classes` tag and GDAL colour tables), align (any raster read window by window on another
raster's pixel grid: other sensors, CRSs, pixel sizes), dates (acquisition dates from file names
or metadata), tiling (pure cell and lattice math), splits
(random, spatially blocked and attribute splits), grids (building, reading and writing grid
GeoPackages) and the grid stage itself: options (GridOptions, shared with extraction, and
GridJob) and grid_run (`make_grid(job, events)`). May import core only.
"""
