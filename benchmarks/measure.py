"""Shared by the benchmarks: run one command in its own process, time it, read its peak memory."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time


def measure(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB (the process and its waited-for children), stdout."""
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as err:  # a file, not a pipe: a chatty stderr never blocks
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd[:5])} failed ({proc.returncode}):\n"
                             f"{err.read()[-3000:]}")
    return time.monotonic() - start, usage.ru_maxrss / 1024, out
