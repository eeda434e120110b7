"""The evaluation stage's options: the prediction, the reference labels, the report.

Standard library only (the verb table loads it for `satseg --help`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..core import jobs
from ..core.errors import JobError
from ..core.jobs import option


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvaluateJob(jobs.Job):
    """The `evaluate` verb's job: a class raster, reference labels, where to report."""

    prediction: Path = option(help="class raster written by 'satseg predict' (*_classes.tif)",
                              exists="file")
    labels: Path = option(help="reference labels: a class raster, or a vector layer with "
                               "'class_field'", exists="file")
    class_field: str | None = option(None, help="vector labels: the field holding class values "
                                                "(or class names)")
    ignore_value: int = option(255, help="label value that is not counted", min=0, max=255)
    class_values: tuple[int, ...] = option((), help="class values when the prediction carries "
                                                    "no satseg_classes tag", min=0, max=254)
    output_dir: Path | None = option(None, help="folder for the report (default: the "
                                                "prediction's folder)")
    name: str | None = option(None, help="report name prefix (default: the prediction's name)")

    def __post_init__(self) -> None:
        if self.labels.suffix.lower() in VECTOR_SUFFIXES and not self.class_field:
            raise JobError("vector labels need 'class_field' (the field with the class of "
                           "each polygon)", key="class_field")


VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".fgb", ".kml", ".gml", ".sqlite")
