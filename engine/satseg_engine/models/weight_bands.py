"""A weight set adapted to a dataset's bands: band matching, first convolution, normalisation.

Rules (docs/formats.md, "Pretrained weight sets"):

* **Matching by name.** A dataset band matches a weight-set band when their keys are equal: the
  name lower-cased, without spaces, dashes or underscores, numbers without leading zeros
  (`B04`, `b4`, `B_4` are one key), compared with the set band's name and its aliases
  (`red`, `nir`, `swir16`…).
* **First convolution.** A matched band takes the kernel the set learnt for its band. An
  unmatched band takes the mean of the set's kernels over all its bands. When no band matches,
  the kernels are repeated in the set's order (smp's own rule). The whole kernel is then scaled
  by (set bands / dataset bands), so an input whose bands are alike gives the response size the
  weights were trained with.
* **Normalisation** (`data.normalization: weights`): each band is standardised with the mean
  and std of its matched set band, in the set's units (`x / scale`; ImageNet-style sets: the
  dataset's p2–p98 range stretched to 0–1); an unmatched band with the means of the set's means
  and stds. It is stored as a plain `standardize` record, so prediction needs nothing new.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import SatsegError
from .weights import WeightNorm, WeightSet

UNMATCHED_RULE = "mean kernel of the set's bands"
NONE_MATCHED_RULE = "kernels repeated in the set's band order (no band name matched)"


def band_key(name: str) -> str:
    """`B04` → `b4`, `SR_B4` → `srb4`, `Red` → `red`, `NIR 08` → `nir8`."""
    key = re.sub(r"[\s_\-./]+", "", str(name).lower())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", key)


def band_keys(weight_set: WeightSet) -> list[list[str]]:
    """For each set band, the keys that match it (its name first)."""
    return [[band_key(b.name), *(band_key(a) for a in b.aliases)] for b in weight_set.bands]


def match_bands(band_names: Sequence[str], weight_set: WeightSet) -> list[int | None]:
    """For each dataset band, the index of the set band it matches, or None."""
    lookup: dict[str, int] = {}
    for index, keys in enumerate(band_keys(weight_set)):
        for key in keys:
            lookup.setdefault(key, index)
    return [lookup.get(band_key(name)) for name in band_names]


def looks_numbered(band_names: Sequence[str]) -> bool:
    """`B1, B2, … Bn` in sequence: possibly band numbers (no raster descriptions), not names."""
    return len(band_names) > 1 and [band_key(n) for n in band_names] == [
        f"b{i}" for i in range(1, len(band_names) + 1)]


def adapt_first_conv(weight: Any, matches: Sequence[int | None]) -> Any:
    """(out, set bands, k, k) kernel → (out, dataset bands, k, k) by the module's rules."""
    import torch

    n_set, n_new = weight.shape[1], len(matches)
    if all(m is None for m in matches):
        columns = [weight[:, i % n_set] for i in range(n_new)]
    else:
        mean = weight.mean(dim=1)
        columns = [weight[:, m] if m is not None else mean for m in matches]
    return torch.stack(columns, dim=1) * (n_set / n_new)


def normalization_for(weight_set: WeightSet, norm: WeightNorm, band_names: Sequence[str],
                      statistics: Mapping[str, Any], nodata: float | None) -> dict[str, Any]:
    """The checkpoint's normalisation record (method standardize) in the dataset's units."""
    matches = match_bands(band_names, weight_set)
    stats = {b.get("name"): b for b in statistics.get("bands", [])}
    mean_all = sum(norm.mean) / len(norm.mean)
    std_all = sum(norm.std) / len(norm.std)
    bands = []
    for name, match in zip(band_names, matches, strict=True):
        mean, std = (norm.mean[match], norm.std[match]) if match is not None else (mean_all,
                                                                                 std_all)
        if norm.scale is None:
            band = stats.get(name) or {}
            if "p2" not in band or "p98" not in band:
                raise SatsegError("bad_dataset", f"band {name} has no p2/p98 statistics for "
                                  f"the '{weight_set.name}' normalisation",
                                  hint="re-extract the dataset (dataset.json statistics)")
            low, span = float(band["p2"]), max(float(band["p98"]) - float(band["p2"]), 1e-6)
        else:
            low, span = 0.0, norm.scale
        bands.append({"name": name, "mean": low + mean * span, "std": std * span})
    return {"method": "standardize", "nodata": nodata, "bands": bands,
            "origin": f"weights:{weight_set.name}"}


def describe_match(band_names: Sequence[str], weight_set: WeightSet) -> dict[str, str | None]:
    """{dataset band: matched set band or None}."""
    return {name: (weight_set.bands[m].name if m is not None else None)
            for name, m in zip(band_names, match_bands(band_names, weight_set), strict=True)}


def read_state_dict(path: Path) -> dict[str, Any]:
    """A state dict of tensors from a .pth/.pt (weights_only) or .safetensors file, with the
    usual wrappers (`state_dict`, `model`, `encoder`) and prefixes (`module.`, `encoder.`,
    `backbone.`) removed and classifier heads (`fc.`, `classifier.`, `head.`) dropped."""
    import torch

    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        data: Any = load_file(str(path))
    else:
        data = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model", "encoder"):
        if isinstance(data, Mapping) and isinstance(data.get(key), Mapping):
            data = data[key]
    if not isinstance(data, Mapping) or not data or not all(
            isinstance(v, torch.Tensor) for v in data.values()):
        raise ValueError("the file does not hold a state dict of tensors")
    out = {}
    for name, tensor in data.items():
        for prefix in ("module.", "model.encoder.", "encoder.", "backbone."):
            if name.startswith(prefix):
                name = name[len(prefix):]
        if not name.startswith(("fc.", "classifier.", "head.")):
            out[name] = tensor
    return out


def load_set_into(encoder_module: Any, weight_set: WeightSet, band_names: Sequence[str],
                  path: Path) -> None:
    """Load the set's file into an encoder built for `band_names` (first convolution adapted).
    SatsegError("bad_encoder_weights") when the file does not fit."""
    own = encoder_module.state_dict()
    first = next(k for k, v in own.items() if v.ndim == 4)  # the encoder's first convolution
    try:
        state = read_state_dict(path)
        kernel = state.get(first)
        if kernel is None or kernel.shape[1] != len(weight_set.bands):
            raise ValueError(f"'{first}' should be a kernel over the set's "
                             f"{len(weight_set.bands)} bands, found "
                             f"{None if kernel is None else tuple(kernel.shape)}")
        state[first] = adapt_first_conv(kernel, match_bands(band_names, weight_set))
        encoder_module.load_state_dict(state)
    except (ValueError, RuntimeError, KeyError, OSError) as exc:
        raise SatsegError("bad_encoder_weights", f"cannot load weight set "
                          f"'{weight_set.name}' from {path}: {type(exc).__name__}: "
                          f"{str(exc)[:300]}", key="model.encoder_weights",
                          hint=f"remove {path} so it is downloaded again, or give the set's "
                          "own file as model.encoder_weights_path") from exc


def plan_weight_set(set_name: str, encoder: str | None, band_names: Sequence[str],
                    statistics: Mapping[str, Any], nodata: float | None, *,
                    use_its_normalization: bool, uses_encoder: bool = True
                    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the header's `encoder_weights` record, the set's normalisation or None) — checked
    before any data is read; nothing is downloaded here. `uses_encoder` is False for the
    custom U-Net (no smp encoder to start from weights)."""
    from .weights import get_set, norm_for, url_for

    if not uses_encoder:
        raise SatsegError("bad_model", "named weight sets fit smp encoders, not the custom "
                          "U-Net", key="model.encoder_weights",
                          hint="choose an smp architecture (Unet…) or leave encoder_weights "
                          "empty")
    encoder = encoder or "resnet34"
    chosen = get_set(set_name, encoder)
    matches = match_bands(band_names, chosen)
    record = {"name": chosen.name, "encoder": encoder, "url": url_for(chosen, encoder),
              "set_bands": [b.name for b in chosen.bands],
              "bands": describe_match(band_names, chosen),
              "unmatched": (NONE_MATCHED_RULE if all(m is None for m in matches)
                            else UNMATCHED_RULE), "licence": chosen.licence}
    normalization = (normalization_for(chosen, norm_for(chosen, encoder), band_names,
                                       statistics, nodata) if use_its_normalization else None)
    return record, normalization


def match_lines(record: Mapping[str, Any]) -> list[str]:
    """Log lines saying how the dataset's bands met the set's (warnings first)."""
    bands = record["bands"]
    matched = {k: v for k, v in bands.items() if v is not None}
    lines = [f"weight set {record['name']} ({record['encoder']}): "
             f"{len(matched)} of {len(bands)} bands matched by name"
             + (": " + ", ".join(f"{k}={v}" for k, v in matched.items()) if matched else "")
             + (f"; others: {record['unmatched']}" if len(matched) < len(bands) else "")]
    if not matched:
        lines.append(f"no band name matches the set's ({', '.join(record['set_bands'])}): "
                     "name the raster's bands (band descriptions) to use what the weights "
                     "learnt per band")
    elif looks_numbered(list(bands)):
        lines.append("the band names B1…Bn may be band numbers, not sensor names: check the "
                     "match above")
    return lines
