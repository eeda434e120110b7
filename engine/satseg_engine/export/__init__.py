"""The export stage: a checkpoint as a model file other tools open (ONNX).

`export_model(job, events)` runs the `export` verb's job (options.ExportJob): the network with
its normalisation and softmax/sigmoid folded in (prediction/onnx_graph.py), dynamic batch,
height and width, the metadata Deepness reads beside satseg's full header (metadata.py), and a
numeric check against PyTorch on the written file (check.py) before it gets its final name.

May import core, data, models and prediction (the graph and the ONNX reader); never training,
evaluation or verbs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.errors import SatsegError
from ..core.fileio import atomic_path


def export_model(job: Any, events: Any) -> dict[str, Any]:
    """Write the ONNX file of `job.checkpoint`, checked; the `done` summary."""
    import onnx

    from ..models.checkpoint import load_model, read_checkpoint
    from ..prediction.onnx_graph import check_exportable, onnx_bytes
    from .check import compare
    from .metadata import all_metadata, decoded, resolution_cm

    started = time.perf_counter()
    check_exportable(read_checkpoint(job.checkpoint)["header"])
    model, header = load_model(job.checkpoint, "cpu")
    events.log(f"exporting {header.get('architecture')}/{header.get('encoder')}, "
               f"{header['in_channels']} bands, {len(header['classes'])} classes "
               f"({header['task']}) to ONNX opset {job.opset}")
    events.progress("export", 0, 3, "steps")
    graph = onnx.load_from_string(onnx_bytes(model, header, job.opset))
    resolution = resolution_cm(header, job.resolution_cm)
    metadata = all_metadata(header, resolution, job.tile_overlap)
    del graph.metadata_props[:]
    for key, value in metadata.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    graph.producer_name, graph.producer_version = "satseg", __version__
    graph.doc_string = (f"satseg {header.get('architecture')} model: raw pixels in, class "
                        f"probabilities out; classes and bands in metadata satseg_header")
    events.progress("export", 1, 3, "steps")
    destination = job.destination
    with atomic_path(destination) as tmp:
        tmp.write_bytes(graph.SerializeToString())
        rows = compare(tmp, model, header, job.check_windows, job.seed)
        events.progress("export", 2, 3, "steps")
        worst = max(row["max_abs_diff"] for row in rows)
        for row in rows:
            events.log(f"check {row['height']}×{row['width']}: max |ONNX Runtime − PyTorch| "
                       f"= {row['max_abs_diff']:.3g}")
        if not worst <= job.tolerance:
            raise SatsegError("export_mismatch", f"ONNX Runtime and PyTorch disagree: the "
                              f"largest probability difference is {worst:.3g}, above the "
                              f"tolerance {job.tolerance:g}; nothing was written",
                              key="tolerance", hint="try another opset (--opset 18) or "
                              "update onnxruntime; predict with the torch backend meanwhile")
    events.progress("export", 3, 3, "steps")
    events.artifact("checkpoint", destination, role="onnx")
    meta = decoded(metadata)
    return {"output": str(Path(destination).resolve()), "format": job.format,
            "opset": job.opset, "bytes": Path(destination).stat().st_size,
            "checkpoint": str(Path(job.checkpoint).resolve()),
            "max_abs_diff": worst, "tolerance": job.tolerance, "checks": rows,
            "deepness": {key: meta[key] for key in meta if not key.startswith("satseg_")},
            "inputs": meta["satseg_io"]["input"], "outputs": meta["satseg_io"]["output"],
            "classes": header["classes"], "engine_version": __version__,
            "seconds": round(time.perf_counter() - started, 3)}
