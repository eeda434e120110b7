"""`satseg export CHECKPOINT --format onnx`: a trained model as a file other tools open."""

from __future__ import annotations

from typing import Any

from ..export.options import ExportJob as Job

POSITIONAL = "checkpoint"
#: job keys of this verb's outputs: a run holds their lock (core.lock).
OUTPUTS = ("output",)

HELP = ("export a checkpoint to ONNX (normalisation and softmax inside, metadata for Deepness "
        "and satseg), checked against PyTorch")


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..export import export_model

    return export_model(job, events)
