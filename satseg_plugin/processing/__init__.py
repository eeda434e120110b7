"""The satseg Processing provider: one algorithm per engine verb (grid, extract, train, predict,
evaluate, and export/vectorize where the engine has them), for the toolbox, batch mode, the
Graphical Modeler, `processing.run("satseg:…")` and `qgis_process run satseg:…`."""
