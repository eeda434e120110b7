"""The metadata an exported ONNX file carries (docs/formats.md, "ONNX model").

Deepness (the QGIS inference plugin) reads JSON-encoded `metadata_props`: model_type, class_names
({index: name}), resolution (cm/px), tile_size, tiles_overlap (percent), standardization_mean and
standardization_std, seg_thresh, seg_small_segment (its model_base.py). Deepness scales its input
to 0–1 (÷ 255) and then standardises; the graph already normalises raw pixels itself
(prediction/onnx_graph.py), so its standardisation is mean 0, std 1/255 — which hands the graph
the raw values. satseg's own keys: `satseg_header` (the checkpoint's whole header: satseg
predicts from the .onnx alone), `satseg_normalization` (the normalisation folded into the graph,
for readers) and `satseg_io` (input and output tensors).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..core.events import to_jsonable
from ..prediction.onnx_graph import INPUT_NAME, OUTPUT_NAME
from ..prediction.onnx_model import HEADER_KEY
from ..prediction.outputs import output_classes

#: keys Deepness documents and reads, in its order.
DEEPNESS_KEYS = ("model_type", "class_names", "resolution", "tile_size", "tiles_overlap",
                 "standardization_mean", "standardization_std", "seg_thresh",
                 "seg_small_segment")
SATSEG_KEYS = (HEADER_KEY, "satseg_normalization", "satseg_io")


def resolution_cm(header: Mapping[str, Any], given: float | None) -> float | None:
    """cm per pixel: given, else the header's pixel size (CRS units taken as metres)."""
    if given is not None:
        return float(given)
    size = header.get("pixel_size")
    if not size:
        return None
    values = [float(v) for v in (size if isinstance(size, (list, tuple)) else (size, size))]
    return round(abs(values[0]) * 100, 6)


def deepness_metadata(header: Mapping[str, Any], resolution: float | None,
                      tile_overlap: int) -> dict[str, Any]:
    """Deepness's keys (plain values; JSON-encoded when written)."""
    channels = int(header["in_channels"])
    binary = header["task"] == "binary"
    names = {str(i): str(c.get("name", c["value"])) for i, c in
             enumerate(output_classes(header))}
    threshold = header.get("threshold")
    meta: dict[str, Any] = {
        "model_type": "Segmentor", "class_names": names,
        "tile_size": int(header["patch_size"]), "tiles_overlap": int(tile_overlap),
        "standardization_mean": [0.0] * channels, "standardization_std": [1 / 255] * channels,
        "seg_thresh": float(0.5 if threshold is None else threshold) if binary else 0.0,
        "seg_small_segment": 0,
    }
    if resolution is not None:
        meta["resolution"] = resolution
    return {key: meta[key] for key in DEEPNESS_KEYS if key in meta}


def satseg_metadata(header: Mapping[str, Any]) -> dict[str, Any]:
    """satseg's own keys: the full header, the folded normalisation and the tensors."""
    norm = dict(header.get("normalization") or {})
    bands = list(norm.get("bands") or [])
    folded = {"method": norm.get("method", "none"), "nodata": norm.get("nodata"),
              "folded_into_graph": True, "bands": [b.get("name") for b in bands],
              "mean": [b.get("mean") for b in bands], "std": [b.get("std") for b in bands]}
    io = {"input": {"name": INPUT_NAME, "shape": ["batch", int(header["in_channels"]),
                                                   "height", "width"],
                    "dtype": "float32", "bands": list(header.get("band_names") or []),
                    "values": "raw pixel values; NaN or the nodata value: no data"},
          "output": {"name": OUTPUT_NAME, "shape": ["batch", 1 if header["task"] == "binary"
                                                     else len(header["classes"]), "height",
                                                     "width"],
                     "values": "sigmoid" if header["task"] == "binary" else "softmax"}}
    return {HEADER_KEY: to_jsonable(header), "satseg_normalization": to_jsonable(folded),
            "satseg_io": io}


def all_metadata(header: Mapping[str, Any], resolution: float | None,
                 tile_overlap: int) -> dict[str, str]:
    """Every metadata_props entry, JSON-encoded as Deepness expects."""
    values = {**deepness_metadata(header, resolution, tile_overlap), **satseg_metadata(header)}
    return {key: json.dumps(value) for key, value in values.items()}


def decoded(metadata: Mapping[str, str]) -> dict[str, Any]:
    """metadata_props values JSON-decoded (a value that is not JSON is kept as text)."""
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out
