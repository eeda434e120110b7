"""The synthetic sample scene (`satseg sample`): demo, test and benchmark data.

Owns options (SampleJob), sample (`make_sample(job, events)`), layout (lakes, river, fields,
towns and roads as vector shapes), block (one block of pixels rendered from the layout), noise
(deterministic value and fractal noise), spectra (class spectra of Sentinel-2-like bands),
write (block-by-block GeoTIFF writing) and outputs (profiles, class names, label polygons).
May import core and geo (class tags, GeoPackage options).
"""
