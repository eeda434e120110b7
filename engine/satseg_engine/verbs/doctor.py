"""`satseg doctor`: what this engine can use — versions, CUDA devices, CuPy, free disk."""

from __future__ import annotations

import dataclasses
import importlib
import json
import platform
import shutil
import sys
from pathlib import Path
from typing import Any

from .. import __version__
from ..core import jobs
from ..core.jobs import option

HELP = "report the engine's environment: versions, GPUs and their memory, CuPy, free disk"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    output_dir: Path = option(Path("."), help="where outputs will be written (free disk is "
                                              "measured there)")


def _version(module: str) -> str | None:
    try:
        return getattr(importlib.import_module(module), "__version__", "unknown")
    except Exception:  # noqa: BLE001 - a broken optional package is reported, not fatal
        return None


#: written beside the packages by scripts/engine-env.sh: which torch build it chose and why
BUILD_RECORD = "torch_build.json"


def build_choice(torch_file: str) -> dict[str, Any]:
    """{build, reason} recorded by scripts/engine-env.sh beside the torch package, or why not."""
    record = Path(torch_file).resolve().parents[1] / BUILD_RECORD
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        return {"build": str(data["build"]), "reason": str(data["reason"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {"build": None, "reason": "not recorded: this environment was not built by "
                                         "scripts/engine-env.sh (make setup)"}


def torch_report() -> dict[str, Any]:
    """torch's version and build (and why that build), every CUDA device with its memory."""
    try:
        import torch
    except Exception as exc:  # noqa: BLE001
        return {"installed": False, "error": f"{type(exc).__name__}: {exc}"}
    report: dict[str, Any] = {
        "installed": True,
        "version": torch.__version__,
        "build": f"cuda {torch.version.cuda}" if torch.version.cuda else "cpu",
        "build_choice": build_choice(torch.__file__),
        "cuda_available": torch.cuda.is_available(),
        "threads": torch.get_num_threads(),
        "devices": [],
    }
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            free, total = torch.cuda.mem_get_info(index)
            report["devices"].append({
                "index": index, "name": props.name,
                "capability": f"{props.major}.{props.minor}",
                "memory_total_gb": round(total / 2**30, 2),
                "memory_free_gb": round(free / 2**30, 2),
                "bf16": bool(torch.cuda.is_bf16_supported()),
            })
    return report


def cupy_report() -> dict[str, Any]:
    """CuPy is optional and GPU-only: whether it imports, sees a device and runs a kernel, and
    which array module the band statistics use (data/array_backend.py) and why."""
    from ..core.errors import SatsegError
    from ..data import array_backend

    cupy, reason = array_backend.probe_cupy()
    report: dict[str, Any] = {"available": cupy is not None, "reason": reason}
    if cupy is not None:
        report["version"] = cupy.__version__
        report["devices"] = int(cupy.cuda.runtime.getDeviceCount())
    try:
        report["statistics"] = array_backend.select().summary()
    except SatsegError as exc:  # SATSEG_ARRAYS=cupy without a usable CuPy, or a bad value
        report["statistics"] = {"backend": None, "reason": f"{exc.message}; {exc.hint}"}
    return report


def disk_report(path: Path) -> dict[str, Any]:
    """Free space where outputs go (the nearest existing parent of `path`)."""
    probe = path.resolve()
    while not probe.exists():
        probe = probe.parent
    usage = shutil.disk_usage(probe)
    return {"path": str(probe), "free_gb": round(usage.free / 2**30, 2),
            "total_gb": round(usage.total / 2**30, 2)}


def run(job: Job, events: Any) -> dict[str, Any]:
    events.progress("doctor", 0, 4, "checks")
    summary: dict[str, Any] = {
        "engine_version": __version__,
        "python": f"{platform.python_version()} ({sys.executable})",
        "platform": platform.platform(),
    }
    rasterio_version = _version("rasterio")
    gdal = None
    if rasterio_version:
        import rasterio

        gdal = rasterio.__gdal_version__
    summary["packages"] = {
        "numpy": _version("numpy"),
        "rasterio": rasterio_version,
        "gdal": gdal,
        "geopandas": _version("geopandas"),
        "segmentation_models_pytorch": _version("segmentation_models_pytorch"),
        "torchvision": _version("torchvision"),
    }
    events.progress("doctor", 1, 4, "checks")
    summary["torch"] = torch_report()
    events.progress("doctor", 2, 4, "checks")
    summary["cupy"] = cupy_report()
    events.progress("doctor", 3, 4, "checks")
    summary["disk"] = disk_report(job.output_dir)
    events.progress("doctor", 4, 4, "checks")
    missing = [name for name, version in summary["packages"].items() if version is None]
    if not summary["torch"]["installed"]:
        missing.append("torch")
    summary["ok"] = not missing
    if missing:
        events.warning(f"missing or broken packages: {', '.join(missing)}; reinstall the "
                       f"engine environment (plugin: Settings → Set up engine environment)")
    return summary
