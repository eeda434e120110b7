"""Several scenes for one `predict` run: the rasters a job names (files, folders, globs, a list
file), checked and named before any work, and the hash that says whether a scene's outputs are
complete for this model and job.

Standard library only: every problem is found before the model loads.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..core.errors import JobError

#: extensions taken from a folder: rasters GDAL reads, not sidecars or vector formats
RASTER_EXTENSIONS = frozenset({
    "tif", "tiff", "vrt", "img", "jp2", "j2k", "png", "jpg", "jpeg", "webp", "bmp", "gif",
    "nc", "hdf", "h5", "asc", "bil", "dem", "hgt", "ers", "rst", "sdat", "ntf", "mrf", "kea"})
#: satseg's own outputs, never taken as inputs from a folder (the output folder may be it)
OUTPUT_SUFFIXES = ("_classes.tif", "_confidence.tif", "_probabilities.tif")
#: job keys that change no output pixel: a rerun with other values skips complete scenes
RUNTIME_KEYS = frozenset({"raster", "rasters", "raster_list", "overwrite", "stop_on_error",
                          "output_dir", "name", "device", "threads", "read_ahead", "memory_mb",
                          "panel_width", "batch_size", "schema"})


@dataclasses.dataclass(frozen=True)
class Scene:
    """One raster to predict and the name of its outputs (`<name>_classes.tif` ...)."""

    index: int
    raster: Path
    name: str


def _is_pattern(text: str) -> bool:
    return any(c in text for c in "*?[")


def _folder_rasters(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".")
                  and p.suffix.lower().lstrip(".") in RASTER_EXTENSIONS
                  and not p.name.endswith(OUTPUT_SUFFIXES))


def _expand(entry: str, key: str) -> list[Path]:
    """One entry: a file, a folder (its rasters, sorted) or a glob (its matches, sorted)."""
    path = Path(entry).expanduser()
    if path.is_dir():
        found = _folder_rasters(path)
        if not found:
            raise JobError(f"{key}: the folder {path} holds no raster", key=key,
                           hint=f"put rasters ({', '.join(sorted(RASTER_EXTENSIONS)[:6])}…) "
                                "in it or give another folder")
        return found
    if path.is_file():  # before patterns: a file named scene[1].tif is that file
        return [path]
    if _is_pattern(entry):
        found = sorted(Path(p) for p in glob.glob(str(path), recursive=True)
                       if Path(p).is_file() and not p.endswith(OUTPUT_SUFFIXES))
        if not found:
            raise JobError(f"{key}: no file matches {entry!r}", key=key,
                           hint="check the pattern (quote it so the shell does not expand "
                                "it) and the folder")
        return found
    if not path.is_file():
        raise JobError(f"{key}: {path} does not exist", key=key,
                       hint="check the path (relative paths are read from the current "
                            "directory)")
    return [path]


def list_file_entries(path: Path) -> list[str]:
    """The paths of a list file: one a line, blank lines and `#` comments skipped, relative
    paths read from the list file's folder."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise JobError(f"raster_list: cannot read {path}: {exc}", key="raster_list",
                       hint="give a UTF-8 text file of paths, one a line") from None
    entries = []
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            entry = Path(text).expanduser()
            entries.append(str(entry if entry.is_absolute() else Path(path).parent / entry))
    if not entries:
        raise JobError(f"raster_list: {path} lists no raster", key="raster_list",
                       hint="write one raster path a line")
    return entries


def _missing(entries: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(key, e) for key, e in entries
            if not Path(e).expanduser().exists() and not _is_pattern(e)]


def resolve_scenes(job: Any) -> list[Scene]:
    """Every scene of a job with several rasters, in order, uniquely named; JobError naming
    every missing file, a duplicate or an empty selection."""
    entries = [("raster", str(job.raster))] if job.raster is not None else []
    entries += [("rasters", str(e)) for e in job.rasters]
    if job.raster_list is not None:
        entries += [("raster_list", e) for e in list_file_entries(Path(job.raster_list))]
    missing = _missing(entries)
    if missing:
        names = ", ".join(e for _, e in missing[:5]) + (" …" if len(missing) > 5 else "")
        raise JobError(f"{len(missing)} raster(s) do not exist: {names}", key=missing[0][0],
                       hint="fix or remove these paths (relative paths are read from the "
                            "current directory, a list file's from its folder)")
    paths: list[Path] = []
    for key, entry in entries:
        paths += _expand(entry, key)
    seen: dict[Path, Path] = {}
    for path in paths:
        real = path.resolve()
        if real in seen:
            raise JobError(f"the raster {real} is given twice ({seen[real]} and {path})",
                           key="rasters", hint="give each raster once (a folder or glob may "
                                               "already include it)")
        seen[real] = path
    if not paths:
        raise JobError("no raster to classify", key="rasters",
                       hint="give --rasters FILES/FOLDER/GLOB or --raster-list FILE")
    return [Scene(i, p, n) for i, (p, n) in enumerate(zip(paths, scene_names(paths),
                                                           strict=True))]


def scene_names(paths: list[Path]) -> list[str]:
    """Output names: the file stem; stems shared by several rasters take their parent folder
    as prefix (`a_scene`, `b_scene`), and a name still shared a `_2`, `_3` … by order."""
    stems = [p.stem for p in paths]
    names = [f"{p.parent.name}_{p.stem}" if stems.count(p.stem) > 1 else p.stem
             for p in paths]
    out: list[str] = []
    for name in names:
        unique, n = name, 1
        while unique in out:
            n += 1
            unique = f"{name}_{n}"
        out.append(unique)
    return out


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (the model: a retrained checkpoint recomputes every scene)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def job_hash(job: Any, model_digest: str) -> str:
    """What makes outputs the same: the model's bytes and every key that changes pixels."""
    keys = {k: v for k, v in job.to_dict().items() if k not in RUNTIME_KEYS}
    text = json.dumps({"model": model_digest, "job": keys}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scene_hash(run_hash: str, raster: Path) -> str:
    """The run's hash with the raster's identity (path, size, modification time)."""
    stat = Path(raster).stat()
    text = f"{run_hash}|{Path(raster).resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]
