"""The evaluation stage: a class raster scored against reference labels.

Owns options (EvaluateJob), reference (reference labels, raster or polygons, read block by
block on the prediction's pixel grid), confusion (confusion counts, per-class IoU/F1/precision/
recall, kappa, the confusion-matrix plot) and run (`evaluate(job, events)`). May import core and
geo; it reads prediction files, never prediction code.
"""
