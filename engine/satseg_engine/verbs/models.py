"""`satseg models`: the architectures, encoders, losses, fusion levels, fusion methods and
temporal modes `train` accepts (the dialog reads this, so it never keeps a copy of the engine's
tables)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..core import jobs

HELP = "list the model architectures, encoders and multi-source options that 'train' accepts"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    pass


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..models import losses, multisource
    from ..models import registry as models
    from ..models.fusion import FUSION_METHODS
    from ..models.streams import CUSTOM_ENCODER

    def inputs(name: str) -> dict[str, bool]:
        """Which inputs an architecture accepts (mid fusion and temporal streams decode with
        a U-Net, so they are offered with the U-Net architectures only)."""
        return {"single_source": True, "early_fusion": True, "late_fusion_stream": True,
                "mid_fusion": name in multisource.UNET_ARCHITECTURES,
                "temporal_streams": name in multisource.UNET_ARCHITECTURES}

    architectures = [{"name": name,
                      "uses_encoder": name != models.CUSTOM_UNET,
                      "min_patch_size": models.MIN_INPUT_SIZE.get(name),
                      "inputs": inputs(name)}
                     for name in models.ARCHITECTURES]
    encoders = models.encoder_names()
    events.log(f"{len(architectures)} architectures, {len(encoders)} encoders, "
               f"{len(multisource.FUSION_LEVELS)} fusion levels")

    def table(choices: dict[str, Any]) -> list[dict[str, str]]:
        return [{"name": name, "description": choice.description}
                for name, choice in choices.items()]

    return {"architectures": architectures, "encoders": encoders,
            "losses": {name: list(terms) for name, terms in losses.LOSSES.items()},
            "default_architecture": "Unet", "default_encoder": "resnet34",
            "pretrained_weights": "local file only (model.encoder_weights_path)",
            "fusion_levels": table(multisource.FUSION_LEVELS),
            "fusion_methods": table(FUSION_METHODS),
            "temporal_modes": table(multisource.TEMPORAL_MODES),
            "stream_encoders": [CUSTOM_ENCODER, *encoders],
            "defaults": dict(multisource.DEFAULTS)}
