"""Shared by the benchmarks: run one command in its own process, time it, read its peak memory.

Memory is the larger of two readings: the process's own peak (ru_maxrss of the process and its
waited-for children, from os.wait4) and the peak of the summed resident memory of the process
and all its live descendants, sampled every 50 ms with psutil. The sum counts worker processes
(an extraction pool, DataLoader workers) that ru_maxrss would report only one at a time; pages
shared between processes (the Python and torch libraries) are counted once per process, so the
sum is an upper bound.

On Linux, `run_measured(..., thread_cpu={})` also fills the dict with the CPU seconds of the
process's threads summed by their OS names (the engine names its helper threads, and threads
they start inherit the name: core/threads.py), read at the same 50 ms samples: a thread's last
50 ms may be missed if it ends between two samples.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

import psutil

SAMPLE_S = 0.05


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def thread_cpu_seconds(pid: int) -> dict[int, tuple[str, float]]:
    """Thread id -> (OS name, user + system CPU seconds so far) of process `pid` (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    threads: dict[int, tuple[str, float]] = {}
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
                name = stat[stat.index("(") + 1:stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2:].split()
                threads[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / tick)
    return threads


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process tree until stopped; `peak` in bytes; with
    `threads`, the latest CPU seconds of each thread of the root process too."""

    def __init__(self, pid: int, threads: bool = False):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.threads: dict[int, tuple[str, float]] | None = {} if threads else None
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.peak = max(self.peak, _tree_rss(self.root))
            except psutil.NoSuchProcess:
                return
            if self.threads is not None:
                self.threads.update(thread_cpu_seconds(self.root.pid))
            self.halt.wait(SAMPLE_S)

    def cpu_by_name(self) -> dict[str, float]:
        """CPU seconds summed over the threads of each OS name."""
        totals: dict[str, float] = {}
        for name, seconds in (self.threads or {}).values():
            totals[name] = totals.get(name, 0.0) + seconds
        return totals


class Measured(NamedTuple):
    wall: float      # seconds, start to exit
    peak_mb: float   # MiB (see the module docstring)
    cpu: float       # user + system CPU seconds of the process (all its threads)
    out: str         # its stdout


def run_measured(cmd: list[str], env: dict[str, str] | None = None,
                 thread_cpu: dict[str, float] | None = None) -> Measured:
    """Run `cmd` in its own process: wall time, peak memory, CPU time and stdout; and into
    `thread_cpu`, if given, its CPU seconds by thread name (the module docstring)."""
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as err:  # a file, not a pipe: a chatty stderr never blocks
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
        sampler = TreeMemory(proc.pid, threads=thread_cpu is not None)
        sampler.start()
        out = proc.stdout.read()
        sampler.halt.set()  # stop before the wait: a reaped pid could be reused
        sampler.join()
        if thread_cpu is not None:
            thread_cpu.update(sampler.cpu_by_name())
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd[:5])} failed ({proc.returncode}):\n"
                             f"{err.read()[-3000:]}")
    return Measured(time.monotonic() - start, max(usage.ru_maxrss * 1024, sampler.peak) / 2**20,
                    usage.ru_utime + usage.ru_stime, out)


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak memory in MiB (see the module docstring), stdout."""
    wall, peak, _cpu, out = run_measured(cmd, env)
    return wall, peak, out
