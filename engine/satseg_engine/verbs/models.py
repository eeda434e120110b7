"""`satseg models`: the architectures, encoders, pretrained weight sets, losses, fusion levels,
fusion methods and temporal modes `train` accepts (the dialog reads this, so it never keeps a
copy of the engine's tables)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..core import jobs

HELP = ("list the model architectures, encoders, pretrained weight sets and multi-source "
        "options that 'train' accepts")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    pass


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..models import losses, multisource, weights
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
            "weight_sets": weight_sets(),
            "weights_cache": str(weights.cache_dir()),
            "fusion_levels": table(multisource.FUSION_LEVELS),
            "fusion_methods": table(FUSION_METHODS),
            "temporal_modes": table(multisource.TEMPORAL_MODES),
            "stream_encoders": [CUSTOM_ENCODER, *encoders],
            "defaults": dict(multisource.DEFAULTS)}


def weight_sets() -> list[dict[str, Any]]:
    """Each named weight set: the encoders it fits (and which are cached), its bands with the
    keys a dataset band name must have to match (models.weight_bands.band_key), normalisation,
    licence."""
    from ..models import weight_bands, weights

    out = []
    for chosen in weights.WEIGHT_SETS.values():
        encoders = chosen.encoders()
        norm = chosen.norm
        out.append({
            "name": chosen.name, "description": chosen.description, "encoders": encoders,
            "cached": [e for e in encoders if weights.cached_path(chosen, e).is_file()],
            "bands": [{"name": b.name, "keys": keys} for b, keys in
                      zip(chosen.bands, weight_bands.band_keys(chosen), strict=True)],
            "normalization": {"scale": norm.scale, "mean": list(norm.mean),
                              "std": list(norm.std)},
            "licence": chosen.licence})
    return out
