"""Helper threads whose names the operating system sees.

Python names a thread for itself only; `top -H`, `ps -L`, py-spy and /proc/PID/task/*/comm show
every engine thread as `python`. A helper thread started here names its OS thread too (Linux:
prctl PR_SET_NAME, 15 characters), and the threads it starts inherit that name: the OpenMP
workers that torch starts for the blending thread's tensor operations are counted as
satseg-blend, not mixed up with the model's. benchmarks/bench_predict.py reads these names to
report where a prediction run's CPU time goes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from collections.abc import Callable

#: Linux's limit for a thread name, without the terminating NUL.
OS_NAME_CHARS = 15
_PR_SET_NAME = 15


def name_os_thread(name: str) -> bool:
    """Give the calling thread `name` (cut to OS_NAME_CHARS) in the OS; True if it took."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_NAME, name.encode()[:OS_NAME_CHARS], 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def helper_thread(target: Callable[[], object], name: str) -> threading.Thread:
    """A daemon thread (not started) that runs `target` under `name`, in Python and in the OS."""
    def run() -> None:
        name_os_thread(name)
        target()

    return threading.Thread(target=run, name=name, daemon=True)
