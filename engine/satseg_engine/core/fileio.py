"""Atomic file writing: nothing is ever left half-written under its final name."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path


def temporary_sibling(final: Path) -> Path:
    """A unique name in the same directory (same filesystem, so the rename is atomic)."""
    return final.with_name(f".{final.name}.part-{uuid.uuid4().hex[:8]}")


@contextlib.contextmanager
def atomic_path(final: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write to; rename it to `final` only if the block succeeds.

    Works for files and directories. On any exception (including cancellation) the temporary
    is removed and an existing `final` is left untouched. GDAL sidecars written next to the
    temporary (`<tmp>.aux.xml`, `<tmp>.ovr`) are moved or removed with it.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(final)
    try:
        yield tmp
        for suffix in (".aux.xml", ".ovr", "-wal", "-shm"):
            side = Path(str(tmp) + suffix)
            if side.exists():
                os.replace(side, Path(str(final) + suffix))
        if final.is_dir() and tmp.is_dir():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        remove_path(tmp)
        for suffix in (".aux.xml", ".ovr", "-wal", "-shm"):
            remove_path(Path(str(tmp) + suffix))
        raise


def remove_path(path: Path) -> None:
    """Remove a file or directory if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
