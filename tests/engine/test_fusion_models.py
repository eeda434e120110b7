"""Multi-source and time-series networks: every fusion level, method and temporal mode builds,
ignores absent dates, overfits a tiny batch, splits its parameters and survives a checkpoint."""

from __future__ import annotations

import io

import pytest
import torch
from torch import nn

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import SatsegError
from satseg_engine.core.events import Events
from satseg_engine.models import checkpoint
from satseg_engine.models import registry as models
from satseg_engine.models.fusion import FUSION_METHODS
from satseg_engine.models.multisource import (
    FUSION_LEVELS,
    TEMPORAL_MODES,
    build_multisource,
    check_multisource,
)

SIZE = 32
CLASSES = 3
#: a time series of 3 slots (the last is padding) and a single-date source.
S2 = {"name": "s2", "band_names": ["b1", "b2", "b3", "b4"],
      "dates": ["2020-01-05", "2020-04-20", None]}
S1 = {"name": "s1", "band_names": ["vv", "vh"], "dates": []}
DEM = {"name": "dem", "band_names": ["height"], "dates": []}
TINY = {"depth": 2, "base_width": 8, "dropout": 0.0, "temporal_heads": 2, "temporal_key_dim": 4}
#: (fusion, method) pairs: early and late have no method of their own.
LEVEL_METHODS = [("early", "concat"), *[("mid", m) for m in FUSION_METHODS], ("late", "concat")]
TEMPORALS = list(TEMPORAL_MODES)


def _header(fusion: str, method: str = "concat", temporal: str = "stack",
            sources: tuple[dict, ...] = (S2, S1), architecture: str = "custom_unet",
            encoder: str | None = None, kwargs: dict | None = None) -> dict:
    return {"architecture": architecture, "encoder": encoder,
            "model_kwargs": dict(TINY if kwargs is None else kwargs),
            "in_channels": sum(len(s["band_names"]) * max(1, len(s["dates"])) for s in sources),
            "band_names": [], "classes": [{"value": v, "name": f"c{v}", "colour": "#000000"}
                                          for v in range(CLASSES)],
            "task": "multiclass", "normalization": {"method": "none", "bands": []},
            "sources": [dict(s) for s in sources],
            "multisource": {"fusion": fusion, "fusion_method": method, "temporal": temporal,
                            "stream_encoders": {}}}


def _batch(sources: tuple[dict, ...] = (S2, S1), batch: int = 2, size: int = SIZE,
           seed: int = 0) -> tuple[dict, torch.Tensor]:
    """Inputs whose every source carries the (8×8-block) labels under noise; slot 1 of row 1
    and the padding slot are absent (zeros)."""
    gen = torch.Generator().manual_seed(seed)
    blocks = torch.randint(0, CLASSES, (batch, size // 8, size // 8), generator=gen)
    labels = blocks.repeat_interleave(8, 1).repeat_interleave(8, 2)
    onehot = nn.functional.one_hot(labels, CLASSES).permute(0, 3, 1, 2).float()
    data, present, doy = {}, {}, {}
    for source in sources:
        channels = len(source["band_names"])
        signal = onehot.repeat(1, channels // CLASSES + 1, 1, 1)[:, :channels]
        if not source["dates"]:
            data[source["name"]] = signal + 0.3 * torch.randn(signal.shape, generator=gen)
            continue
        slots = len(source["dates"])
        series = signal[:, None].repeat(1, slots, 1, 1, 1)
        series = series + 0.3 * torch.randn(series.shape, generator=gen)
        mask = torch.tensor([[d is not None for d in source["dates"]]] * batch)
        mask[1, 1] = False
        data[source["name"]] = series * mask[:, :, None, None, None]
        present[source["name"]] = mask
        doy[source["name"]] = torch.tensor([[5.0, 110.0, 0.0][:slots]] * batch)
    return {"data": data, "present": present, "doy": doy}, labels


COMBINED = [(f, m, t) for f, m in LEVEL_METHODS for t in TEMPORALS]
ALONE = [(f, "concat", t) for f in FUSION_LEVELS for t in TEMPORALS]
#: what must overfit: every level, method and temporal mode, alone and with a second source
#: (every configuration builds, runs and back-propagates in the test after this one).
OVERFIT = [("early", "concat", "stack", (S2, S1)), ("early", "concat", "utae", (S2, S1)),
           ("early", "concat", "unet3d", (S2,)), ("mid", "concat", "stack", (S2, S1)),
           ("mid", "attention", "unet3d", (S2, S1)), ("mid", "film", "utae", (S2, S1)),
           ("mid", "cross_attention", "stack", (S2, S1)), ("mid", "film_cross", "utae", (S1, S2)),
           ("mid", "concat", "utae", (S2,)), ("late", "concat", "stack", (S2,)),
           ("late", "concat", "utae", (S2, S1)), ("late", "concat", "unet3d", (S2, S1))]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize(("fusion", "method", "temporal", "sources"), OVERFIT)
def test_each_kind_of_network_overfits_a_tiny_batch(fusion: str, method: str, temporal: str,
                                                    sources: tuple[dict, ...]) -> None:
    torch.manual_seed(0)
    model = build_multisource(_header(fusion, method, temporal, sources))
    inputs, labels = _batch(sources)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02, foreach=True)
    losses, accuracy = [], 0.0
    for _ in range(14):
        logits = model(inputs)
        loss = nn.functional.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        accuracy = (logits.argmax(1) == labels).float().mean().item()
    assert losses[-1] < losses[0] / 4 or accuracy > 0.97, (losses[0], losses[-1], accuracy)


@pytest.mark.parametrize(("fusion", "method", "temporal", "sources"),
                         [(*c, (S2, S1)) for c in COMBINED] + [(*c, (S2,)) for c in ALONE]
                         + [("mid", "film_cross", "utae", (S1, S2)),
                            ("mid", "attention", "unet3d", (S2, S1, DEM)),
                            ("late", "concat", "utae", (DEM, S2, S1))])
def test_every_configuration_gives_logits_and_trains_every_parameter(
        fusion: str, method: str, temporal: str, sources: tuple[dict, ...]) -> None:
    model = build_multisource(_header(fusion, method, temporal, sources))
    inputs, labels = _batch(sources)
    logits = model(inputs)
    assert logits.shape == (2, CLASSES, SIZE, SIZE)
    nn.functional.cross_entropy(logits, labels).backward()
    unused = [name for name, p in model.named_parameters() if p.grad is None]
    assert not unused
    if fusion == "mid":   # every auxiliary stream is folded into the main one at every stage
        assert sorted(model.fusions) == sorted(f"s{stage}_{s['name']}" for s in sources[1:]
                                               for stage in range(1, 6))
    with torch.no_grad():
        assert model.eval()(inputs).shape == (2, CLASSES, SIZE, SIZE)


@pytest.mark.parametrize(("fusion", "method", "temporal"),
                         [(f, m, t) for f, m in (("early", "concat"), ("mid", "film_cross"),
                                                 ("mid", "attention"), ("late", "concat"))
                          for t in TEMPORALS])
def test_absent_dates_do_not_change_the_output(fusion: str, method: str,
                                               temporal: str) -> None:
    model = build_multisource(_header(fusion, method, temporal)).eval()
    inputs, _ = _batch()
    altered = {**inputs, "data": dict(inputs["data"])}
    altered["data"]["s2"] = inputs["data"]["s2"].clone()
    altered["data"]["s2"][1, 1] = 50.0             # an absent date of row 1
    altered["data"]["s2"][:, 2] = -7.0             # the padding slot
    with torch.no_grad():
        assert torch.equal(model(inputs), model(altered))
        present_changed = {**altered, "data": dict(altered["data"])}
        present_changed["data"]["s2"] = altered["data"]["s2"].clone()
        present_changed["data"]["s2"][0, 0] += 1.0   # a present date does matter
        assert not torch.equal(model(inputs), model(present_changed))


@pytest.mark.parametrize(("fusion", "temporal"),
                         [(f, t) for f in FUSION_LEVELS for t in TEMPORALS])
def test_a_row_without_any_present_date_gives_finite_logits_and_gradients(
        fusion: str, temporal: str) -> None:
    model = build_multisource(_header(fusion, "film_cross", temporal))
    inputs, labels = _batch()
    inputs["present"]["s2"][0] = False
    inputs["present"]["s2"][1, 1] = True   # two dates left in the batch (batch norm needs two)
    logits = model(inputs)
    nn.functional.cross_entropy(logits, labels).backward()
    assert torch.isfinite(logits).all()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
    with torch.no_grad():
        assert torch.isfinite(model.eval()(inputs)).all()


@pytest.mark.parametrize(("fusion", "temporal", "groups"), [
    ("early", "stack", {"stream:s2+s1", "decoder"}),
    ("early", "utae", {"stream:s2+s1", "fusion", "decoder"}),
    ("mid", "unet3d", {"stream:s2", "stream:s1", "fusion", "decoder"}),
    ("late", "utae", {"stream:s2", "stream:s1", "fusion", "decoder"}),
])
def test_parameter_groups_partition_the_parameters(fusion: str, temporal: str,
                                                   groups: set[str]) -> None:
    model = build_multisource(_header(fusion, "film_cross", temporal))
    found = model.parameter_groups()
    assert set(found) == groups
    ids = [id(p) for params in found.values() for p in params]
    assert len(ids) == len(set(ids)) and set(ids) == {id(p) for p in model.parameters()}
    # the single-source helpers see the streams as the encoder
    encoder_ids = {id(p) for name, params in found.items() if name.startswith("stream:")
                   for p in params}
    assert {id(p) for p in models.split_parameters(model)[0]} == encoder_ids
    models.set_encoder_frozen(model, True)
    assert not any(p.requires_grad for p in model.encoder.parameters())


def test_typical_config_builds_with_resnet18_streams_and_round_trips_a_checkpoint(
        tmp_path) -> None:
    header = _header("mid", "film_cross", "utae", architecture="Unet", encoder="resnet18",
                     kwargs={})
    header["multisource"]["stream_encoders"] = {"s1": "custom"}
    model = checkpoint.model_from_header(header).eval()
    path = checkpoint.save_checkpoint(tmp_path / "best_iou.pt", header, model.state_dict())
    loaded, loaded_header = checkpoint.load_model(path, "cpu")
    assert loaded_header["multisource"]["temporal"] == "utae"
    inputs, _ = _batch(size=64)
    with torch.no_grad():
        expected = model(inputs)
        assert expected.shape == (2, CLASSES, 64, 64)
        torch.testing.assert_close(loaded(inputs), expected, rtol=0, atol=0)


def test_a_legacy_single_source_header_builds_the_same_network_as_before() -> None:
    header = {"architecture": "Unet", "encoder": "resnet18", "model_kwargs": {},
              "in_channels": 5, "classes": [{"value": 1}, {"value": 2}], "task": "binary",
              "normalization": {"method": "none"}}
    torch.manual_seed(3)
    built = checkpoint.model_from_header(header)
    torch.manual_seed(3)
    before = models.build_model("Unet", "resnet18", 5, 1, {})
    assert type(built) is type(before)
    for (name, a), (other, b) in zip(built.state_dict().items(), before.state_dict().items(),
                                     strict=True):
        assert name == other and torch.equal(a, b)
    assert built.eval()(torch.randn(1, 5, 64, 64)).shape == (1, 1, 64, 64)


@pytest.mark.parametrize(("spec", "sources", "patch", "key", "hint_has"), [
    ({"fusion": "early", "temporal": "utae"},
     (S2, {**S2, "name": "s3", "dates": ["2020-02-01", "2020-05-01"]}), 32, "model.fusion",
     "model.fusion=mid or late"),
    ({"fusion": "mid", "fusion_method": "glue"}, (S2, S1), 32, "model.fusion_method",
     "film_cross"),
    ({"fusion": "sideways"}, (S2, S1), 32, "model.fusion", "early, mid, late"),
    ({"temporal": "lstm"}, (S2,), 32, "model.temporal", "utae"),
    ({"temporal": "utae"}, (S1,), 32, "model.temporal", "temporal=stack"),
    ({"fusion": "mid", "stream_encoders": {"s9": "resnet18"}}, (S2, S1), 32,
     "model.stream_encoders", "s2, s1"),
    ({"fusion": "early", "stream_encoders": {"s1": "resnet18"}}, (S2, S1), 32,
     "model.stream_encoders", "mid or late"),
    ({"fusion": "mid", "stream_encoders": {"s1": "resnet9000"}}, (S2, S1), 32,
     "model.stream_encoders", "custom"),
    ({"fusion": "late", "stream_encoders": {"s1": "custom"}}, (S2, S1), 32,
     "model.stream_encoders", "smp encoder"),
    ({"fusion": "mid", "architecture": "DeepLabV3"}, (S2, S1), 32, "model.architecture",
     "custom_unet"),
    ({"fusion": "mid"}, (S2, S1), 48, "model.fusion", "patch size"),
    ({}, (), 32, "data.sources", "data.sources"),
])
def test_impossible_combinations_are_refused_with_the_job_key(spec, sources, patch, key,
                                                              hint_has) -> None:
    with pytest.raises(SatsegError) as info:
        check_multisource({"architecture": "Unet", "encoder": "resnet18", **spec}, sources,
                          patch)
    assert info.value.key == key and info.value.code in ("bad_job", "bad_model")
    assert hint_has in info.value.hint


def test_possible_combinations_give_the_header_entry() -> None:
    header = _header("mid", "film_cross", "utae")
    assert check_multisource(header, header["sources"], 64) == header["multisource"]
    flat = {"architecture": "DeepLabV3", "encoder": "resnet18", "fusion": "late",
            "temporal": "unet3d", "stream_encoders": {"s1": "resnet18"}}
    assert check_multisource(flat, (S2, S1), 64)["fusion"] == "late"
    # a header whose stream_encoders list every stream (as training writes it) checks again
    written = _header("late", temporal="utae")
    written["multisource"]["stream_encoders"] = {"s2": "custom", "s1": "custom"}
    assert check_multisource(written, written["sources"], 32)["stream_encoders"]["s1"] == "custom"


def test_models_verb_lists_fusion_levels_methods_and_temporal_modes() -> None:
    summary = run_job("models", {}, Events(io.StringIO()))
    assert [f["name"] for f in summary["fusion_levels"]] == ["early", "mid", "late"]
    assert {m["name"] for m in summary["fusion_methods"]} == set(FUSION_METHODS)
    assert [t["name"] for t in summary["temporal_modes"]] == ["stack", "utae", "unet3d"]
    by_name = {a["name"]: a["inputs"] for a in summary["architectures"]}
    assert by_name["Unet"]["mid_fusion"] and not by_name["DeepLabV3"]["mid_fusion"]
    assert by_name["DeepLabV3"]["late_fusion_stream"] and by_name["FPN"]["early_fusion"]
    assert "custom" in summary["stream_encoders"] and "resnet34" in summary["encoders"]
