"""Many scenes in one `predict` run: the model loads once, each scene is predicted (or skipped
when its outputs are complete for this model and job) and recorded, and one summary lists them.

Under torchrun (RANK/WORLD_SIZE set) rank r takes scenes r, r+N, ... on cuda:LOCAL_RANK (or the
CPU with gloo); every rank records its scenes in `<output_dir>/.satseg-scenes/<name>.json`, and
rank 0 waits for the others (a barrier) and writes scenes.json and scenes.csv from the records.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import SatsegError
from ..core.fileio import atomic_path
from .scenes import Scene, file_digest, job_hash, resolve_scenes, scene_hash

RECORDS = ".satseg-scenes"
SUMMARY_JSON = "scenes.json"
SUMMARY_CSV = "scenes.csv"
CSV_FIELDS = ("name", "raster", "status", "code", "message", "width", "height", "pixels",
              "seconds", "classes_path", "confidence_path")


def launcher() -> tuple[int, int, int]:
    """(rank, world size, local rank) under torchrun; (0, 1, 0) otherwise."""
    env = os.environ
    if "LOCAL_RANK" not in env or int(env.get("WORLD_SIZE", "1")) <= 1:
        return 0, 1, 0
    return int(env["RANK"]), int(env["WORLD_SIZE"]), int(env["LOCAL_RANK"])


@contextlib.contextmanager
def _process_group(world: int, device_type: str) -> Iterator[Any]:
    """A gloo (CPU) or nccl (CUDA) group for the final barrier; None in one process."""
    if world <= 1:
        yield None
        return
    import torch.distributed as dist

    backend = "nccl" if device_type == "cuda" and dist.is_nccl_available() else "gloo"
    # scenes take as long as they take: the barrier waits for the slowest rank
    dist.init_process_group(backend, timeout=datetime.timedelta(hours=24))
    try:
        yield dist
    finally:
        dist.destroy_process_group()


def _run_token(dist: Any) -> str:
    """One id shared by every rank: records written by this run carry it."""
    token = [uuid.uuid4().hex[:12]]
    if dist is not None:
        dist.broadcast_object_list(token, src=0)
    return token[0]


def _counter(dist: Any, token: str) -> Any:
    """Scenes finished by every rank: a counter in torchrun's store (in one process, local)."""
    if dist is None:
        count = [0]

        def local(step: int) -> int:
            count[0] += step
            return count[0]
        return local
    store = dist.distributed_c10d._get_default_store()
    return lambda step: int(store.add(f"satseg_scenes_done_{token}", step))


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _complete(record: Mapping[str, Any] | None, wanted: str) -> bool:
    """A scene is complete: recorded ok for the same model/job/raster and every output there."""
    return bool(record and record.get("status") == "ok" and record.get("hash") == wanted
                and all(Path(p).is_file() for p in record.get("outputs", {}).values()))


def _ok_record(scene: Scene, summary: Mapping[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "width": summary["width"], "height": summary["height"],
            "pixels": int(summary["width"]) * int(summary["height"]),
            "seconds": summary["prediction_seconds"],
            "areas": {c["name"]: c["area"] for c in summary["classes"]},
            "outputs": dict(summary["outputs"])}


def _predict_scene(job: Any, scene: Scene, run: Mapping[str, Any], events: Any
                   ) -> dict[str, Any]:
    from .run import predict_to_files

    scene_job = dataclasses.replace(job, raster=scene.raster, rasters=(), raster_list=None,
                                    name=scene.name)
    model, header = run["load"]()  # a bad model ends the run: no scene could succeed
    try:
        summary = predict_to_files(scene_job, model, header, run["device"], events)
        return _ok_record(scene, summary)
    except SatsegError as exc:
        if job.stop_on_error:
            raise
        events.warning(f"scene {scene.name} failed ({exc.code}): {exc.message}")
        return {"status": "failed", "code": exc.code, "message": exc.message,
                "hint": exc.hint}


def run_scenes(job: Any, scenes: Sequence[Scene], run: Mapping[str, Any], events: Any) -> None:
    """Predict this rank's scenes (rank r: r, r+N, ...), one record each."""
    rank, world = run["rank"], run["world"]
    records = Path(job.output_dir) / RECORDS
    mine = list(scenes)[rank::world]
    events.progress("scenes", 0, len(scenes), "scenes")
    for done, scene in enumerate(mine):
        if done:
            events.progress("scenes", run["count"](1), len(scenes), "scenes")
        path = records / f"{scene.name}.json"
        wanted = scene_hash(run["hash"], scene.raster)
        if not job.overwrite and _complete(_read_record(path), wanted):
            events.log(f"scene {scene.name}: complete, skipped")
            continue
        events.log(f"scene {done + 1}/{len(mine)}: {scene.name} ({scene.raster})")
        record = _predict_scene(job, scene, run, events)
        record.update({"name": scene.name, "raster": str(scene.raster), "hash": wanted,
                       "run": run["token"], "rank": rank})
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(record, indent=2), encoding="utf-8")
        if rank != 0:  # its events go nowhere: torchrun shows stderr
            print(f"satseg rank {rank}: scene {scene.name} {record['status']}", file=sys.stderr)
    if mine:
        run["count"](1)


def collect(job: Any, scenes: Sequence[Scene], token: str) -> list[dict[str, Any]]:
    """Every scene's entry from its record: predicted or failed by this run, or skipped."""
    records = Path(job.output_dir) / RECORDS
    entries = []
    for scene in scenes:
        record = _read_record(records / f"{scene.name}.json") or {
            "status": "missing", "code": "no_record",
            "message": "no rank recorded this scene"}
        entry = {"name": scene.name, "raster": str(scene.raster), **record}
        if record.get("run") != token and record.get("status") == "ok":
            entry["status"] = "skipped"
        entry.pop("run", None)
        entries.append(entry)
    return entries


def write_summary(job: Any, entries: Sequence[Mapping[str, Any]], extra: Mapping[str, Any]
                  ) -> dict[str, Path]:
    """scenes.json (everything) and scenes.csv (one row a scene, one area column a class)."""
    folder = Path(job.output_dir)
    paths = {"json": folder / SUMMARY_JSON, "csv": folder / SUMMARY_CSV}
    with atomic_path(paths["json"]) as tmp:
        tmp.write_text(json.dumps({"schema": 1, **extra, "scenes": list(entries)}, indent=2),
                       encoding="utf-8")
    classes = list(dict.fromkeys(n for e in entries for n in e.get("areas", {})))
    with atomic_path(paths["csv"]) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*CSV_FIELDS, *(f"area_{c}" for c in classes)])
        for e in entries:
            outputs = e.get("outputs", {})
            row = {**e, "classes_path": outputs.get("classes"),
                   "confidence_path": outputs.get("confidence")}
            writer.writerow([("" if row.get(k) is None else row[k]) for k in CSV_FIELDS] +
                            [e.get("areas", {}).get(c, "") for c in classes])
    return paths


def predict_scenes(job: Any, events: Any) -> dict[str, Any]:
    """Check every scene, load the model once, predict (or skip) each scene, write the
    summary; the `done` summary. Fails only when every scene failed (or at the first failure
    with stop_on_error)."""
    started = time.perf_counter()
    scenes = resolve_scenes(job)  # before anything loads
    from . import bound_malloc, resolve_device

    bound_malloc()
    rank, world, local_rank = launcher()
    device_name = resolve_device(job)
    if world > 1 and device_name == "cuda":
        device_name = f"cuda:{local_rank}"  # one GPU a rank
    import rasterio
    import torch

    from . import GDAL_CACHE_MB
    from .onnx_model import load_for_prediction

    if rank == 0:  # records a killed run left half-written (no other rank writes yet)
        for stale in (Path(job.output_dir) / RECORDS).glob(".*.part-*"):
            stale.unlink(missing_ok=True)
    with _process_group(world, device_name.split(":")[0]) as dist:
        if device_name.startswith("cuda:"):  # before any collective: nccl uses it
            torch.cuda.set_device(torch.device(device_name))
        token = _run_token(dist)
        loaded: list[Any] = []

        def load() -> tuple[Any, Any]:  # once, and only if a scene is to be predicted
            if not loaded:
                loaded.extend(load_for_prediction(job, device_name, events))
                events.log(f"model {loaded[1].get('architecture')}/"
                           f"{loaded[1].get('encoder')} loaded once for {len(scenes)} scenes "
                           f"on {device_name}" + (f", {world} ranks" if world > 1 else ""))
            return loaded[0], loaded[1]

        run = {"load": load, "device": torch.device(device_name),
               "hash": job_hash(job, file_digest(Path(job.checkpoint))), "token": token,
               "rank": rank, "world": world, "count": _counter(dist, token)}
        with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB * 2**20):
            run_scenes(job, scenes, run, events)
        if dist is not None:
            dist.barrier()  # every rank's records are written
        events.progress("scenes", len(scenes), len(scenes), "scenes")
    if rank != 0:
        return {"rank": rank}
    entries = collect(job, scenes, token)
    counts = {s: sum(e["status"] == s for e in entries)
              for s in ("ok", "skipped", "failed", "missing")}
    extra = {"checkpoint": str(Path(job.checkpoint).resolve()), "job_hash": run["hash"],
             "ranks": world, "counts": counts}
    paths = write_summary(job, entries, extra)
    events.artifact("report", paths["json"], role="scenes")
    events.artifact("csv", paths["csv"], role="scenes")
    if counts["ok"] + counts["skipped"] == 0:
        first = entries[0]
        raise SatsegError("all_scenes_failed", f"every scene failed ({len(entries)}); the "
                          f"first, {first['name']}: {first.get('message')}",
                          hint=first.get("hint") or f"see {paths['json']}")
    seconds = time.perf_counter() - started
    pixels = sum(int(e.get("pixels", 0)) for e in entries if e["status"] == "ok")
    return {"scenes": [{k: e.get(k) for k in ("name", "raster", "status", "code", "pixels",
                                               "seconds", "outputs")} for e in entries],
            "total": len(entries), "predicted": counts["ok"], "skipped": counts["skipped"],
            "failed": counts["failed"] + counts["missing"], "ranks": world,
            "summary": str(paths["json"]), "csv": str(paths["csv"]),
            "scenes_per_minute": round(counts["ok"] / seconds * 60, 3),
            "megapixels_per_second": round(pixels / 1e6 / seconds, 3),
            "seconds": round(seconds, 3)}
