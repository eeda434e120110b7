"""What `satseg models` reports (architectures, encoders, losses, defaults), cached.

The train algorithm's enums are filled from it. Loading the provider never waits for the engine:
it reads the answer cached on disk (per engine interpreter); without one, the enums start from
FALLBACK and `fetch_in_background` asks the engine once, then the provider reloads its algorithms.
A run fetches a fresh answer once per session (and rewrites the cache) before checking the chosen
architecture and encoder against it.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from typing import Any, Callable, Dict, List, Optional

from ..core.engine_command import interpreter_problem
from ..core.sync_runner import SyncRunner

#: used until the engine has answered once (the engine's own lists as of this version)
FALLBACK: Dict[str, Any] = {
    "architectures": [{"name": name} for name in (
        "custom_unet", "Unet", "UnetPlusPlus", "DeepLabV3", "DeepLabV3Plus", "FPN", "PSPNet",
        "MAnet", "PAN", "Linknet", "Segformer", "UPerNet")],
    "encoders": ["resnet18", "resnet34", "resnet50", "resnet101", "efficientnet-b0",
                 "efficientnet-b4", "mobilenet_v2", "mit_b0", "mit_b2"],
    "losses": {"ce": ["ce"], "dice": ["dice"], "dice_ce": ["dice", "ce"], "focal": ["focal"],
               "focal_dice": ["focal", "dice"], "tversky": ["tversky"],
               "combo": ["ce", "dice", "focal"], "lovasz": ["lovasz"],
               "focal_lovasz": ["focal", "lovasz"]},
    "default_architecture": "Unet", "default_encoder": "resnet34",
}
_MEMORY: Dict[str, Dict[str, Any]] = {}  # fetched in this session, by interpreter
_FETCHING: Dict[str, threading.Thread] = {}


def cache_dir() -> str:
    """$SATSEG_CACHE_DIR, else ~/.cache/satseg (XDG_CACHE_HOME respected)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.environ.get("SATSEG_CACHE_DIR") or os.path.join(base, "satseg")


def cache_path(python: str) -> str:
    """The cache file of one interpreter (its path and modification time name it)."""
    try:
        stamp = str(os.stat(python).st_mtime_ns)
    except OSError:
        stamp = ""
    key = hashlib.sha1(f"{os.path.abspath(python)}|{stamp}".encode()).hexdigest()[:16]
    return os.path.join(cache_dir(), f"models-{key}.json")


def cached(python: str) -> Optional[Dict[str, Any]]:
    """This session's answer, else the one on disk, else None (never runs the engine)."""
    if python in _MEMORY:
        return _MEMORY[python]
    try:
        with open(cache_path(python), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("architectures") else None


def known(python: str) -> Dict[str, Any]:
    """The cached answer, else FALLBACK."""
    return cached(python) or FALLBACK


def fetch(python: str, is_cancelled: Optional[Callable[[], bool]] = None) -> Dict[str, Any]:
    """Ask the engine (once per session and interpreter) and cache its answer on disk.
    EngineRunError when the engine cannot answer (its message names the fix)."""
    if python in _MEMORY:
        return _MEMORY[python]
    summary = SyncRunner(python, is_cancelled=is_cancelled).run("models", {})
    _MEMORY[python] = summary
    path = cache_path(python)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{os.getpid()}.part"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(summary, handle)
        os.replace(partial, path)
    except OSError:
        pass  # a read-only home: the answer stays in memory for this session
    return summary


def fetch_in_background(python: str, done: Callable[[], None]) -> bool:
    """Start fetching in a thread when nothing is cached and the interpreter exists; `done()`
    is called from that thread on success. True when a fetch was started."""
    if cached(python) is not None or interpreter_problem(python) or python in _FETCHING:
        return False

    def work() -> None:
        try:
            fetch(python)
        except Exception:  # noqa: BLE001 - the next run reports the problem with its fix
            return
        finally:
            _FETCHING.pop(python, None)
        done()

    thread = threading.Thread(target=work, name="satseg-models", daemon=True)
    _FETCHING[python] = thread
    thread.start()
    return True


def names(summary: Dict[str, Any], key: str) -> List[str]:
    """Architecture names, encoder names or loss names of an answer."""
    value = summary.get(key) or []
    if key == "architectures":
        return [str(item["name"]) for item in value]
    return [str(item) for item in value]
