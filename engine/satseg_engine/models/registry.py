"""Model registry: architecture name -> builder. A custom U-Net with dropout and every smp model.

`build_model(architecture, encoder, in_channels, out_channels, model_kwargs)` is what training and
prediction (through the checkpoint header) both call, so a checkpoint always rebuilds the network
it was trained with. Every model has an `encoder` attribute (frozen for the first epochs, given its
own learning rate); everything else is the decoder.

smp encoders are built with `encoder_weights=None`; pretrained encoder weights come from a named
weight set (`load_weight_set`: models.weights, downloaded once into a cache, adapted to the
dataset's bands by models.weight_bands) or from a local RGB file (`load_encoder_weights`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..core.errors import SatsegError

#: smp architectures that build with encoder_weights=None (DPT needs a ViT encoder: left out).
SMP_ARCHITECTURES: tuple[str, ...] = ("Unet", "UnetPlusPlus", "DeepLabV3", "DeepLabV3Plus", "FPN",
                                      "PSPNet", "MAnet", "PAN", "Linknet", "Segformer", "UPerNet")
#: smallest patch size (pixels) an architecture accepts, where it is more than the encoder needs.
MIN_INPUT_SIZE: dict[str, int] = {"PAN": 128}
CUSTOM_UNET = "custom_unet"


# -- the custom U-Net ------------------------------------------------------------------------

def double_conv(in_ch: int, out_ch: int, dropout: float, stride: int = 1) -> nn.Sequential:
    """Two 3×3 convolutions with batch norm and ReLU (the first one strided), then dropout."""
    layers: list[nn.Module] = [
        nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(out_ch),
        nn.ReLU(inplace=True),
        nn.Conv2d(out_ch, out_ch, 3, padding=1, bias=False), nn.BatchNorm2d(out_ch),
        nn.ReLU(inplace=True)]
    if dropout > 0:
        layers.append(nn.Dropout2d(dropout))
    return nn.Sequential(*layers)


class CustomUNet(nn.Module):
    """Classic U-Net (Ronneberger 2015) with batch norm and dropout.

    `depth` poolings; widths base_width * 2**level, so depth=4, base_width=64 is the classic
    64→1024 network. Input sides must be divisible by 2**depth.
    """

    def __init__(self, in_channels: int, out_channels: int, depth: int = 4, base_width: int = 64,
                 dropout: float = 0.1):
        super().__init__()
        widths = [base_width * 2**level for level in range(depth + 1)]
        self.depth = depth
        self.encoder = nn.ModuleList()
        previous = in_channels
        for level, width in enumerate(widths):
            # dropout in the deeper half only, as in the original network
            self.encoder.append(double_conv(previous, width, dropout if level >= depth // 2
                                             else 0.0))
            previous = width
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList()
        self.decoder = nn.ModuleList()
        for level in reversed(range(depth)):
            self.up.append(nn.ConvTranspose2d(widths[level + 1], widths[level], 2, stride=2))
            self.decoder.append(double_conv(widths[level] * 2, widths[level], 0.0))
        self.head = nn.Conv2d(widths[0], out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for level, block in enumerate(self.encoder):
            x = block(x)
            if level < self.depth:
                skips.append(x)
                x = self.pool(x)
        for up, block, skip in zip(self.up, self.decoder, reversed(skips), strict=True):
            x = block(torch.cat([up(x), skip], dim=1))
        return self.head(x)


def _build_custom_unet(encoder: str | None, in_channels: int, out_channels: int,
                       kwargs: Mapping[str, Any]) -> nn.Module:
    return CustomUNet(in_channels, out_channels, depth=int(kwargs.get("depth", 4)),
                      base_width=int(kwargs.get("base_width", 64)),
                      dropout=float(kwargs.get("dropout", 0.1)))


# -- smp ---------------------------------------------------------------------------------------

def _smp_builder(arch: str) -> Callable[..., nn.Module]:
    def build(encoder: str | None, in_channels: int, out_channels: int,
              kwargs: Mapping[str, Any]) -> nn.Module:
        import segmentation_models_pytorch as smp

        encoder = encoder or "resnet34"
        check_encoder(encoder)
        try:
            return smp.create_model(arch, encoder_name=encoder, encoder_weights=None,
                                    in_channels=in_channels, classes=out_channels, **kwargs)
        except (ValueError, TypeError, KeyError, AssertionError) as exc:
            raise SatsegError("bad_model", f"cannot build {arch} with encoder '{encoder}': "
                              f"{exc}", hint="choose another encoder or architecture "
                              "(satseg models lists them)", key="model.encoder") from exc
    return build


ARCHITECTURES: dict[str, Callable[..., nn.Module]] = {
    CUSTOM_UNET: _build_custom_unet,
    **{name: _smp_builder(name) for name in SMP_ARCHITECTURES},
}


def encoder_names() -> list[str]:
    """Every smp encoder name (timm universal encoders `tu-*` are accepted too)."""
    import segmentation_models_pytorch as smp

    return list(smp.encoders.get_encoder_names())


def check_encoder(encoder: str) -> None:
    if encoder.startswith("tu-"):
        return
    names = encoder_names()
    if encoder not in names:
        raise SatsegError("bad_model", f"unknown encoder '{encoder}'",
                          hint=f"valid encoders: {', '.join(names)}", key="model.encoder")


def check_architecture(architecture: str) -> None:
    if architecture not in ARCHITECTURES:
        raise SatsegError("bad_model", f"unknown architecture '{architecture}'",
                          hint=f"valid architectures: {', '.join(ARCHITECTURES)}",
                          key="model.architecture")


def build_model(architecture: str, encoder: str | None, in_channels: int, out_channels: int,
                model_kwargs: Mapping[str, Any] | None = None) -> nn.Module:
    """Build an untrained network (no weights are downloaded)."""
    check_architecture(architecture)
    return ARCHITECTURES[architecture](encoder, in_channels, out_channels,
                                       dict(model_kwargs or {}))


def split_parameters(model: nn.Module) -> tuple[list[nn.Parameter], list[nn.Parameter]]:
    """(encoder parameters, decoder/head parameters)."""
    encoder_ids = {id(p) for p in model.encoder.parameters()}
    encoder = [p for p in model.parameters() if id(p) in encoder_ids]
    decoder = [p for p in model.parameters() if id(p) not in encoder_ids]
    return encoder, decoder


def set_encoder_frozen(model: nn.Module, frozen: bool) -> None:
    """Freeze (no gradients, batch-norm statistics fixed) or unfreeze the encoder."""
    for param in model.encoder.parameters():
        param.requires_grad_(not frozen)
    if frozen:
        model.encoder.eval()


def parameter_counts(model: nn.Module) -> dict[str, int]:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    encoder = sum(p.numel() for p in model.encoder.parameters())
    return {"total": total, "trainable": trainable, "encoder": encoder,
            "decoder": total - encoder}


# -- pretrained encoder weights from a local file ---------------------------------------------

def _unwrap_state_dict(data: Any) -> dict[str, torch.Tensor]:
    for key in ("state_dict", "model", "encoder"):
        if isinstance(data, Mapping) and isinstance(data.get(key), Mapping):
            data = data[key]
    if not isinstance(data, Mapping) or not all(isinstance(v, torch.Tensor)
                                                for v in data.values()):
        raise ValueError("the file does not hold a state dict of tensors")
    prefixes = ("module.", "encoder.", "model.encoder.")
    out = {}
    for name, tensor in data.items():
        for prefix in prefixes:
            if name.startswith(prefix):
                name = name[len(prefix):]
        out[name] = tensor
    return out


def load_encoder_weights(architecture: str, encoder: str | None, in_channels: int,
                         out_channels: int, model_kwargs: Mapping[str, Any] | None,
                         weights_path: Path) -> nn.Module:
    """Build a model whose encoder starts from RGB (3-band) weights in a local file.

    The encoder is built for 3 bands, loaded, then adapted to `in_channels` with smp's own
    first-convolution patching (filters repeated over the bands and rescaled by 3/N).
    """
    if architecture == CUSTOM_UNET:
        raise SatsegError("bad_model", "encoder_weights_path applies to smp encoders only, not "
                          "to the custom U-Net", key="model.encoder_weights_path",
                          hint="choose an smp architecture or leave encoder_weights_path empty")
    model = build_model(architecture, encoder, 3, out_channels, model_kwargs)
    try:
        state = _unwrap_state_dict(torch.load(weights_path, map_location="cpu",
                                              weights_only=True))
        model.encoder.load_state_dict(state)
    except Exception as exc:
        raise SatsegError("bad_encoder_weights", f"cannot load encoder weights from "
                          f"{weights_path}: {type(exc).__name__}: {str(exc)[:300]}",
                          hint=f"give a state dict (torch.save) of the '{encoder}' encoder "
                          "trained on 3-band (RGB) images", key="model.encoder_weights_path"
                          ) from exc
    if in_channels != 3:
        model.encoder.set_in_channels(in_channels, pretrained=True)
    return model


def load_weight_set(architecture: str, encoder: str, band_names: list[str], out_channels: int,
                    model_kwargs: Mapping[str, Any] | None, set_name: str,
                    path: Path | None = None, events: Any = None
                    ) -> tuple[nn.Module, dict[str, Any]]:
    """A model whose encoder starts from a named weight set adapted to `band_names`; the set's
    file is `path` when given, else the cached or downloaded one. Returns (model, {"file",
    "sha256"}) for the checkpoint header."""
    from . import weight_bands, weights

    chosen = weights.get_set(set_name, encoder)
    file = Path(path) if path is not None else weights.fetch(chosen, encoder, events)
    model = build_model(architecture, encoder, len(band_names), out_channels, model_kwargs)
    weight_bands.load_set_into(model.encoder, chosen, band_names, file)
    return model, {"file": str(file), "sha256": weights.sha256_of(file)}


def describe(model: nn.Module) -> Iterator[str]:
    """Lines of a model summary: parameter counts, then the layer tree."""
    counts = parameter_counts(model)
    yield f"{type(model).__name__}"
    for name, value in counts.items():
        yield f"  {name} parameters: {value:,}"
    yield ""
    for name, child in model.named_children():
        n = sum(p.numel() for p in child.parameters())
        yield f"{name}: {type(child).__name__} ({n:,} parameters)"
    yield ""
    yield str(model)
