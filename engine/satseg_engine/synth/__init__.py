"""The synthetic sample scene (`satseg sample`): demo, test and benchmark data.

Owns options (SampleJob), sample (`make_sample(job, events)`), layout (lakes, river, fields,
towns and roads as vector shapes), block (one block of pixels rendered from the layout), noise
(deterministic value and fractal noise), spectra (class spectra of Sentinel-2-like bands),
write (block-by-block GeoTIFF writing) and outputs (profiles, class names, label polygons).
`--sources` (a multi-sensor, multi-date scene for fusion): sources (writing it), sources_layout
(its classes, dates and missing areas), cover (land cover over any window), phenology (the
optical series through the season) and radar (the Sentinel-1-like image on its own grid).
May import core and geo (class tags, GeoPackage options).
"""
