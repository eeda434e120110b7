"""The export stage's options: which checkpoint, which format, where, and how it is checked.

Standard library only (the verb table loads it for `satseg --help`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

from ..core import jobs
from ..core.errors import JobError
from ..core.jobs import option

#: export format -> the output file's suffix.
FORMATS: dict[str, str] = {"onnx": ".onnx"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExportJob(jobs.Job):
    """The `export` verb's job: one checkpoint to a model file other tools open."""

    checkpoint: Path = option(help="model checkpoint written by 'satseg train' (.pt)",
                              exists="file")
    format: Literal["onnx"] = option("onnx", help="file format: onnx (ONNX Runtime, Deepness, "
                                                  "any ONNX consumer)")
    output: Path | None = option(None, help="file to write (default: the checkpoint's name "
                                            "with the format's suffix, beside it)")
    opset: int = option(17, min=13, max=23, help="ONNX opset version")
    tolerance: float = option(1e-3, min=0.0, max=1.0, help="largest absolute difference of "
                              "probabilities allowed between ONNX Runtime and PyTorch on the "
                              "check windows; above it the export fails (export_mismatch). "
                              "float32 kernels summing in another order differ by up to "
                              "3e-4 on a U-Net/resnet18 (measured)")
    check_windows: int = option(3, min=1, max=32, help="random windows of the training patch "
                                "checked (plus one larger, non-square window)")
    resolution_cm: float | None = option(None, min=0.0, help="ground resolution in cm per "
                                         "pixel written for Deepness (default: the "
                                         "checkpoint's pixel size, taken as metres)")
    tile_overlap: int = option(50, min=0, max=90, help="tile overlap in percent written for "
                                                       "Deepness")
    seed: int = option(0, help="seed of the check windows' random pixels")

    @property
    def destination(self) -> Path:
        """The file written: `output`, else the checkpoint's name with the format's suffix."""
        if self.output is not None:
            return Path(self.output)
        return Path(self.checkpoint).with_suffix(FORMATS[self.format])

    def __post_init__(self) -> None:
        if self.output is not None and Path(self.output).suffix.lower() != FORMATS[self.format]:
            raise JobError(f"'output' must end in {FORMATS[self.format]} for format "
                           f"{self.format}, got {Path(self.output).name}", key="output",
                           hint=f"name the file like model{FORMATS[self.format]}")
        if Path(self.checkpoint).suffix.lower() == ".onnx":
            raise JobError("'checkpoint' is already an ONNX model", key="checkpoint",
                           hint="give the .pt checkpoint written by 'satseg train'")
