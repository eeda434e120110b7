"""The engine's reliability matrix: each row is run through the real CLI by one test module
(`test_rel_*.py`, parametrised by `Case.id`). No torch, rasterio or engine import here:
`scripts/reliability_doc.py` reads this table to write docs/reliability.md."""

from __future__ import annotations

from case import Case

CASES: tuple[Case, ...] = (
    # -- job files ------------------------------------------------------------------------------
    Case("job-missing", "job files", "--config names a job file that does not exist",
         "refused before any work: the path given to --config is named", "invalid_job"),
    Case("job-not-json", "job files", "the job file is not JSON (a stray comma)",
         "refused with the line and column of the JSON error", "invalid_job"),
    Case("job-wrong-schema", "job files", "the job says \"schema\": 2",
         "refused: this engine reads schema 1", "invalid_job"),
    Case("job-unknown-key", "job files", "a misspelt key (patch_sise)",
         "refused, with \"did you mean 'patch_size'?\"", "invalid_job"),
    Case("job-wrong-type", "job files", "a key of the wrong type (patch_size: \"big\")",
         "refused, naming the key and the expected type", "invalid_job"),
    Case("job-out-of-range", "job files", "a value out of range (patch_size 4)",
         "refused, naming the key and its bound", "invalid_job"),
    Case("job-conflicting-keys", "job files", "keys that contradict each other (overlap >= "
         "patch_size)", "refused, naming both keys", "invalid_job"),
    Case("job-duplicate-key", "job files", "a key given twice in one object of the job file",
         "refused instead of silently keeping the last value", "invalid_job"),
    # -- rasters -------------------------------------------------------------------------------
    Case("raster-not-a-raster", "rasters", "the image is a text file named .tif",
         "refused: not a raster GDAL can open", "not_a_raster"),
    Case("raster-truncated", "rasters", "a GeoTIFF cut short by a failed copy: it opens, but "
         "reading fails in the middle of the extraction",
         "stopped with the file named; no dataset under the final name", "raster_unreadable"),
    Case("raster-no-crs", "rasters", "an image without a coordinate reference system",
         "refused: assign a CRS (e.g. gdal_edit -a_srs)", "no_crs"),
    Case("raster-geographic-crs", "rasters", "an image in degrees (EPSG:4326)",
         "refused: patches need a projected CRS in metres; reproject (gdalwarp -t_srs)",
         "geographic_crs"),
    Case("raster-rotated", "rasters", "a rotated geotransform",
         "refused: warp to a north-up grid first", "rotated_raster"),
    Case("raster-all-nodata", "rasters", "an image that is nodata everywhere",
         "refused: no cell is kept, with the nodata setting to check", "no_cells"),
    Case("raster-nan-inf", "rasters", "a float image with NaN and infinity",
         "NaN and ±inf count as nodata: they never reach the statistics; extraction "
         "succeeds", None),
    Case("raster-smaller-than-patch", "rasters", "an image smaller than one patch",
         "refused: choose a patch size at most the image size", "raster_too_small"),
    # -- labels --------------------------------------------------------------------------------
    Case("labels-other-crs", "labels", "a label raster in another CRS than the image",
         "warped onto the image's grid (nearest neighbour) with a warning; extraction "
         "succeeds", None),
    Case("labels-no-overlap", "labels", "labels that do not overlap the image at all",
         "refused: check that the labels belong to this image and their CRS", "labels_outside"),
    Case("labels-outside-table", "labels", "label values missing from the given class table",
         "refused with the unknown values; unknown_labels=ignore treats them as unlabelled",
         "unknown_labels"),
    Case("labels-float", "labels", "a float label raster (0.5, 1.5 ...)",
         "refused with the values that are not classes", "unknown_labels"),
    Case("labels-invalid-geometries", "labels", "vector labels with self-intersecting "
         "polygons", "rasterised as drawn (even-odd filling); extraction succeeds", None),
    Case("labels-empty-layer", "labels", "a vector label layer without features",
         "refused: the labels hold no class (was: an extraction without any label)",
         "no_classes"),
    Case("labels-missing-field", "labels", "vector labels without the class field",
         "refused, listing the fields there are", "missing_field"),
    Case("labels-unknown-colours", "labels", "a colour mask with colours not in the class "
         "table", "refused with the unknown colours and where they are", "unknown_labels"),
    # -- grids ---------------------------------------------------------------------------------
    Case("grid-other-crs", "grids", "a grid GeoPackage in another CRS than the image",
         "refused: make the grid with satseg grid on this image", "crs_mismatch"),
    Case("grid-not-square-cells", "grids", "a grid whose cells are not N×N pixels of the "
         "image", "refused: snap the cells to whole pixels or regenerate the grid",
         "grid_not_aligned"),
    Case("grid-no-overlap", "grids", "a grid that does not overlap the image",
         "refused: no cell lies inside the image", "grid_outside"),
    Case("grid-split-too-small", "grids", "a blocked split on a small area (256-px cells "
         "on a 1024² scene: one block of 4 × 4 cells held everything)", "the block size "
         "(block_size 0 = auto) adapts to the area; a split left empty or nearly so is a "
         "warning at grid time naming the fix (smaller blocks or patches, another method)",
         None),
    # -- datasets ------------------------------------------------------------------------------
    Case("dataset-no-json", "datasets", "a dataset folder without dataset.json",
         "refused: extract the dataset with satseg extract", "bad_dataset"),
    Case("dataset-no-train", "datasets", "a dataset without training patches",
         "refused before the model is built", "bad_dataset"),
    Case("dataset-class-only-in-validation", "datasets", "a class present in validation but "
         "never in training", "trained, with a warning naming the class", None),
    Case("dataset-patches-deleted", "datasets", "patch files deleted after extraction",
         "trained on the patches left, with a warning counting the missing ones (was: "
         "silently fewer patches)", None),
    # -- checkpoints ---------------------------------------------------------------------------
    Case("checkpoint-truncated", "checkpoints", "a model file cut short",
         "refused: not a readable satseg checkpoint", "bad_checkpoint"),
    Case("checkpoint-random-bytes", "checkpoints", "a model file of random bytes",
         "refused: not a readable satseg checkpoint", "bad_checkpoint"),
    Case("checkpoint-newer-schema", "checkpoints", "a checkpoint written by a newer engine",
         "refused: update the engine", "bad_checkpoint"),
    Case("checkpoint-band-mismatch", "checkpoints", "a raster with another band count than "
         "the model's", "refused: both band counts are named", "band_mismatch"),
    Case("checkpoint-code-pickle", "checkpoints", "a model file crafted to run code when "
         "unpickled", "refused unread, in satseg's words (never the advice to load it "
         "unsafely); the code never runs", "checkpoint_unsafe"),
    # -- outputs -------------------------------------------------------------------------------
    Case("output-unwritable", "outputs", "an output folder the user may not write to",
         "refused before any work", "output_unwritable"),
    Case("output-exists-grid", "outputs", "an existing grid without --overwrite",
         "refused; the file is untouched", "output_exists"),
    Case("output-exists-extract", "outputs", "an existing dataset without --overwrite",
         "refused; the dataset is untouched", "dataset_exists"),
    Case("output-overwrite", "outputs", "an existing dataset with --overwrite",
         "replaced whole, atomically", None),
    Case("disk-full-extract", "outputs", "the disk fills during an extraction",
         "stopped; no dataset under the final name", "disk_full"),
    Case("disk-full-train", "outputs", "the disk fills during a training",
         "stopped; every checkpoint left is complete", "disk_full"),
    Case("disk-full-predict", "outputs", "the disk fills during a prediction",
         "stopped; no prediction under the final name", "disk_full"),
    Case("unicode-paths", "outputs", "Unicode and spaces in every path",
         "sample, grid, extract, train and predict work", None),
    # -- processes -----------------------------------------------------------------------------
    Case("sigterm-extract", "processes", "SIGTERM (Cancel) during an extraction",
         "exits within 3 s; no dataset under the final name", "cancelled"),
    Case("sigterm-train", "processes", "SIGTERM during a training",
         "exits within 3 s; a resumable last.pt", "cancelled"),
    Case("ctrl-c-train-workers", "processes", "Ctrl-C in a terminal during a training with "
         "data-loader workers (every process of the job gets SIGINT)",
         "exits within 3 s as cancelled, not as a worker crash; a resumable last.pt",
         "cancelled"),
    Case("sigterm-predict", "processes", "SIGTERM during a prediction",
         "exits within 3 s; no prediction under the final name", "cancelled"),
    Case("sigkill-extract", "processes", "SIGKILL during an extraction",
         "the rerun succeeds; temporaries are ignored and never taken for outputs", None),
    Case("sigkill-train", "processes", "SIGKILL during a training",
         "--resume last.pt alone continues from the last complete epoch", None),
    Case("sigkill-predict", "processes", "SIGKILL during a prediction",
         "the rerun succeeds; no partial output under a final name", None),
    Case("two-runs-one-output", "processes", "a second run into an output folder another run "
         "is writing", "refused while the first holds it (the lock dies with the process)",
         "output_locked"),
    Case("resume-other-architecture", "processes", "--resume with an explicitly different "
         "architecture", "refused: both architectures are named; --resume alone continues",
         "bad_resume"),
)
