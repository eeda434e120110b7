"""Named pretrained encoder weight sets: what each one is, where it comes from, the cache.

A weight set (`model.encoder_weights`) names the encoders it fits, where its file is downloaded
from, the bands it was trained on (in its first convolution's order, with the names that match a
dataset's bands) and the normalisation its inputs had. `fetch(set, encoder)` returns the file:
from the cache (`$SATSEG_WEIGHTS_DIR`, else `$XDG_CACHE_HOME/satseg/weights`, else
`~/.cache/satseg/weights`), else downloaded once (a temporary name renamed when complete and,
where the file name carries one, its sha256 prefix checked). Offline (`SATSEG_OFFLINE=1`, or the
download fails) and not cached: a `weights_unavailable` error naming the cache path and
`model.encoder_weights_path`. Adapting a set to a dataset's bands: `weight_bands`.
Standard library only at import time (torch and smp are imported where used).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.errors import SatsegError
from ..core.fileio import atomic_path

OFFLINE_ENV = "SATSEG_OFFLINE"
CACHE_ENV = "SATSEG_WEIGHTS_DIR"
DOWNLOAD_TIMEOUT_S = 60


@dataclasses.dataclass(frozen=True)
class Band:
    """One input band of a weight set: the sensor's name and other names it goes by."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class WeightNorm:
    """Inputs the weights saw: `(x / scale - mean) / std` per band; scale None = the dataset's
    2nd–98th percentile range stretched to 0–1 (ImageNet-style sets on arbitrary units)."""

    scale: float | None
    mean: tuple[float, ...]
    std: tuple[float, ...]


@dataclasses.dataclass(frozen=True)
class WeightSet:
    name: str
    description: str
    bands: tuple[Band, ...]
    norm: WeightNorm
    licence: str
    urls: dict[str, str] = dataclasses.field(default_factory=dict)  # encoder -> file URL;
    # empty = smp's own ImageNet weights of every smp encoder that has them

    def fits(self, encoder: str) -> bool:
        return encoder in self.urls if self.urls else encoder in imagenet_encoders()

    def encoders(self) -> list[str]:
        return list(self.urls) if self.urls else imagenet_encoders()


def _b(name: str, *aliases: str) -> Band:
    return Band(name, aliases)


#: ImageNet's RGB; B2/B3/B4 are blue/green/red in Sentinel-2 and Landsat 8-9 (not in TM/ETM+).
RGB = (_b("red", "r", "B04"), _b("green", "g", "B03"), _b("blue", "b", "B02"))
#: Sentinel-2 L1C, the order of SSL4EO-S12 (torchgeo `SSL4EOS12.metadata['s2c']`).
S2_13 = (_b("B01", "coastal", "aerosol"), _b("B02", "blue"), _b("B03", "green"),
         _b("B04", "red"), _b("B05", "rededge1", "re1"), _b("B06", "rededge2", "re2"),
         _b("B07", "rededge3", "re3"), _b("B08", "nir"), _b("B8A", "nir08", "rededge4", "nir2"),
         _b("B09", "nir09", "watervapour", "watervapor"), _b("B10", "cirrus"),
         _b("B11", "swir16", "swir1"), _b("B12", "swir22", "swir2"))
#: Landsat 8–9 OLI surface reflectance (SSL4EO-L `oli_sr`: SR_B1…SR_B7).
OLI_SR = (_b("SR_B1", "coastal", "B1"), _b("SR_B2", "blue", "B2"), _b("SR_B3", "green", "B3"),
          _b("SR_B4", "red", "B4"), _b("SR_B5", "nir", "nir08", "B5"),
          _b("SR_B6", "swir16", "swir1", "B6"), _b("SR_B7", "swir22", "swir2", "B7"))
#: Landsat 4–5 TM top of atmosphere (SSL4EO-L `tm_toa`: B1…B7, B6 thermal).
TM_TOA = (_b("B1", "blue"), _b("B2", "green"), _b("B3", "red"), _b("B4", "nir"),
          _b("B5", "swir16", "swir1"), _b("B6", "lwir", "thermal", "tir"),
          _b("B7", "swir22", "swir2"))

IMAGENET = WeightNorm(None, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
#: smp encoders trained on other ImageNet statistics (their smp pretrained settings).
IMAGENET_EXCEPTIONS = {
    **dict.fromkeys(("inceptionv4", "inceptionresnetv2", "xception"),
                    WeightNorm(None, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))),
    **dict.fromkeys(("dpn68", "dpn68b", "dpn92", "dpn98", "dpn107", "dpn131"),
                    WeightNorm(None, (124 / 255, 117 / 255, 104 / 255),
                               (1 / (0.0167 * 255),) * 3)),
}
S2_10K = WeightNorm(10000.0, (0.0,) * 13, (1.0,) * 13)        # torchgeo: Normalize(0, 10000)
L_255 = WeightNorm(255.0, (0.0,) * 7, (1.0,) * 7)             # torchgeo: Normalize(0, 255)
_TG = "https://hf.co/torchgeo/"
_SSL4EO_S12 = ("SSL4EO-S12 (Wang et al. 2022, arXiv:2211.07044), CC-BY-4.0; via torchgeo (MIT). "
               "Sentinel-2 L1C digital numbers (reflectance × 10000)")
_SSL4EO_L = ("SSL4EO-L (Stewart et al. 2023, arXiv:2306.09424), CC0-1.0; via torchgeo (MIT). "
             "8-bit values (0–255) of the SSL4EO-L patches")

_L = _TG + "ssl4eo_landsat/resolve/1c88bb51b6e17a21dde5230738fa38b74bd74f76/"

WEIGHT_SETS: dict[str, WeightSet] = {s.name: s for s in (
    WeightSet("imagenet", "ImageNet RGB (smp's weights of the encoder)", RGB, IMAGENET,
              "ImageNet weights of segmentation_models_pytorch (MIT); ImageNet terms apply"),
    WeightSet("ssl4eo_s12_moco", "Sentinel-2 L1C, 13 bands, MoCo self-supervised (SSL4EO-S12)",
              S2_13, S2_10K, _SSL4EO_S12, {
                  "resnet18": _TG + "resnet18_sentinel2_all_moco/resolve/"
                  "5b8cddc9a14f3844350b7f40b85bcd32aed75918/resnet18_sentinel2_all_moco-59bfdff9.pth",
                  "resnet50": _TG + "resnet50_sentinel2_all_moco/resolve/"
                  "da4f3c9dbe09272eb902f3b37f46635fa4726879/resnet50_sentinel2_all_moco-df8b932e.pth"}),
    WeightSet("ssl4eo_s12_dino", "Sentinel-2 L1C, 13 bands, DINO self-supervised (SSL4EO-S12)",
              S2_13, S2_10K, _SSL4EO_S12, {
                  "resnet50": _TG + "resnet50_sentinel2_all_dino/resolve/"
                  "d7f14bf5530d70ac69d763e58e77e44dbecfec7c/resnet50_sentinel2_all_dino-d6c330e9.pth"}),
    WeightSet("ssl4eo_l_oli_sr_moco", "Landsat 8-9 OLI surface reflectance, 7 bands, MoCo "
              "(SSL4EO-L)", OLI_SR, L_255, _SSL4EO_L, {
                  "resnet18": _L + "resnet18_landsat_oli_sr_moco-660e82ed.pth",
                  "resnet50": _L + "resnet50_landsat_oli_sr_moco-ff580dad.pth"}),
    WeightSet("ssl4eo_l_tm_toa_moco", "Landsat 4-5 TM top of atmosphere, 7 bands, MoCo "
              "(SSL4EO-L)", TM_TOA, L_255, _SSL4EO_L, {
                  "resnet18": _L + "resnet18_landsat_tm_toa_moco-1c691b4f.pth",
                  "resnet50": _L + "resnet50_landsat_tm_toa_moco-ba1ce753.pth"}),
)}


def imagenet_encoders() -> list[str]:
    """smp encoders that have ImageNet weights (timm `tu-` encoders are not offered)."""
    from segmentation_models_pytorch.encoders import encoders

    return [name for name, spec in encoders.items()
            if "imagenet" in (spec.get("pretrained_settings") or {})]


def get_set(name: str, encoder: str) -> WeightSet:
    """The named set, checked against the encoder (SatsegError otherwise)."""
    chosen = WEIGHT_SETS.get(name)
    fitting = [s.name for s in WEIGHT_SETS.values() if s.fits(encoder)]
    if chosen is None:
        raise SatsegError("bad_model", f"unknown weight set '{name}'", key="model.encoder_weights",
                          hint=f"weight sets for {encoder}: {', '.join(fitting) or 'none'} "
                          "('satseg models' lists them all)")
    if not chosen.fits(encoder):
        raise SatsegError("bad_model", f"weight set '{name}' does not fit encoder '{encoder}' "
                          f"(it fits {', '.join(chosen.urls) or 'smp ImageNet encoders'})",
                          key="model.encoder_weights", hint=f"choose the encoder "
                          f"{next(iter(chosen.urls), 'resnet34')}, or a set for {encoder}: "
                          f"{', '.join(fitting) or 'none'}")
    return chosen


def norm_for(weight_set: WeightSet, encoder: str) -> WeightNorm:
    if weight_set.name == "imagenet":
        return IMAGENET_EXCEPTIONS.get(encoder, IMAGENET)
    return weight_set.norm


def url_for(weight_set: WeightSet, encoder: str) -> str:
    if weight_set.urls:
        return weight_set.urls[encoder]
    from segmentation_models_pytorch.encoders import encoders

    hub = encoders[encoder]["pretrained_settings"]["imagenet"]
    return (f"https://huggingface.co/{hub['repo_id']}/resolve/{hub['revision']}/"
            "model.safetensors")


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "satseg" / "weights"


def cached_path(weight_set: WeightSet, encoder: str) -> Path:
    """Where the set's file for `encoder` lives in the cache: <cache>/<set>/<encoder>/<file>."""
    filename = url_for(weight_set, encoder).rstrip("/").rsplit("/", 1)[-1]
    return cache_dir() / weight_set.name / encoder / filename


def expected_sha256_prefix(url: str) -> str | None:
    """torchvision-style `name-<first hex digits of sha256>.pth` file names carry a checksum."""
    found = re.search(r"-([0-9a-f]{8,64})\.(?:pth|pt)$", url)
    return found.group(1) if found else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _unavailable(weight_set: WeightSet, encoder: str, target: Path, why: str) -> SatsegError:
    url = url_for(weight_set, encoder)
    return SatsegError("weights_unavailable", f"weight set '{weight_set.name}' for {encoder} is "
                       f"not in the cache ({target}) and cannot be downloaded: {why}",
                       key="model.encoder_weights", hint=f"on a machine that is online, "
                       f"download {url} and either put it at {target} or pass it as "
                       "model.encoder_weights_path (with model.encoder_weights naming the set)")


def download(url: str, target: Path, progress: Callable[[int, int | None], None] | None = None
             ) -> Path:
    """Stream `url` (https or file) to `target` atomically; check the sha256 prefix its name
    carries. OSError on a network or file problem, ValueError on a wrong checksum."""
    expected = expected_sha256_prefix(url)
    digest = hashlib.sha256()
    with atomic_path(target) as tmp:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, \
                open(tmp, "wb") as out:
            total = response.headers.get("Content-Length")
            total_bytes, done = (int(total) if total else None), 0
            for chunk in iter(lambda: response.read(1 << 20), b""):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total_bytes)
        if expected and not digest.hexdigest().startswith(expected):
            raise ValueError(f"checksum mismatch: sha256 {digest.hexdigest()[:16]}…, the file "
                             f"name says {expected}…")
    return target


def fetch(weight_set: WeightSet, encoder: str, events: Any = None) -> Path:
    """The set's file for `encoder`: cached, else downloaded once (see the module text)."""
    target = cached_path(weight_set, encoder)
    if target.is_file():
        return target
    if os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("", "0", "false", "no"):
        raise _unavailable(weight_set, encoder, target, f"{OFFLINE_ENV} is set")
    url = url_for(weight_set, encoder)
    if events is not None:
        events.log(f"downloading weight set '{weight_set.name}' for {encoder} from {url} "
                   f"into {target}")

    def progress(done: int, total: int | None) -> None:
        if events is not None:
            events.progress("weights", done, total, "bytes")

    try:
        return download(url, target, progress)
    except ValueError as exc:
        raise SatsegError("weights_unavailable", f"the download of '{weight_set.name}' from "
                          f"{url} is corrupt: {exc}", key="model.encoder_weights",
                          hint="retry; if it persists, download the file by hand and pass it "
                          "as model.encoder_weights_path") from exc
    except OSError as exc:  # URLError, timeouts, refused connections, a missing file:// path
        raise _unavailable(weight_set, encoder, target,
                           f"{type(exc).__name__}: {exc}") from exc
