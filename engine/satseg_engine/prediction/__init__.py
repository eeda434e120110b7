"""Prediction of a whole raster by overlapping, blended windows (see pipeline.py).

Modules: source (grid, bands, strips read by rows), reader (read-ahead thread), normalize
(torch twins of training's normalisation), model (AMP, TTA, probabilities), accumulator
(row-band blending), writer (tile-row block writer thread), outputs (files, colour table,
summary), pipeline (the loop).
"""
