"""`satseg models`: the architectures, encoders and losses `train` accepts (the dialog reads
this, so it never keeps a copy of the engine's tables)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..core import jobs

HELP = "list the model architectures and encoders that 'train' accepts"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    pass


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..models import losses
    from ..models import registry as models

    architectures = [{"name": name,
                      "uses_encoder": name != models.CUSTOM_UNET,
                      "min_patch_size": models.MIN_INPUT_SIZE.get(name)}
                     for name in models.ARCHITECTURES]
    encoders = models.encoder_names()
    events.log(f"{len(architectures)} architectures, {len(encoders)} encoders")
    return {"architectures": architectures, "encoders": encoders,
            "losses": {name: list(terms) for name, terms in losses.LOSSES.items()},
            "default_architecture": "Unet", "default_encoder": "resnet34",
            "pretrained_weights": "local file only (model.encoder_weights_path)"}
