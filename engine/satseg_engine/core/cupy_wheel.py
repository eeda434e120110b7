"""Which CuPy wheel matches this environment's torch, and installing it (a failure only warns).

CuPy ships one wheel per CUDA major version (cupy-cuda12x, cupy-cuda13x, ...); the one to
install is the one of the CUDA that torch was built for (`torch.version.cuda`). Run with the
engine environment's Python after torch is installed, on machines with an NVIDIA GPU only
(scripts/engine-env.sh through scripts/torch-build.sh --cupy; the plugin's "Set up engine
environment" when it found a GPU):

    python cupy_wheel.py [--dry-run] [--cuda VERSION] [--strict] [pip options...]

prints "WHEEL<TAB>REASON" (WHEEL is `none` when no wheel fits: a CPU torch, an unknown CUDA)
and, without --dry-run, pip-installs WHEEL with the remaining arguments (e.g. `-c
constraints.txt`). A failed install prints a warning and exits 0 (the band statistics then run
on NumPy), or 3 with --strict. Standard library only: it runs as a file, before the engine is
installed.
"""

from __future__ import annotations

import subprocess
import sys

#: CUDA major version -> CuPy wheel on PyPI
WHEELS = {11: "cupy-cuda11x", 12: "cupy-cuda12x", 13: "cupy-cuda13x"}
PIP_OPTIONS = ("--disable-pip-version-check", "--no-input", "--progress-bar", "off")


def wheel_for(cuda: str | None, torch_version: str = "torch") -> tuple[str | None, str]:
    """(wheel or None, why) for torch's CUDA version string ("13.2"; None: a CPU build)."""
    if not cuda:
        return None, f"{torch_version} is a CPU build: CuPy needs CUDA"
    try:
        major = int(cuda.split(".")[0])
    except ValueError:
        return None, f"{torch_version} reports an unreadable CUDA version {cuda!r}"
    wheel = WHEELS.get(major)
    if wheel is None:
        return None, f"no CuPy wheel is known for CUDA {major} ({torch_version})"
    return wheel, f"{torch_version} is built for CUDA {cuda}"


def torch_cuda() -> tuple[str | None, str]:
    """(torch.version.cuda, 'torch X') of this interpreter's torch."""
    try:
        import torch
    except Exception as exc:  # noqa: BLE001 - a broken torch: no CuPy either
        return None, f"torch is not importable ({type(exc).__name__})"
    return torch.version.cuda, f"torch {torch.__version__}"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    dry_run = "--dry-run" in args
    strict = "--strict" in args
    args = [a for a in args if a not in ("--dry-run", "--strict")]
    if "--cuda" in args:
        at = args.index("--cuda")
        if at + 1 >= len(args):
            print("cupy_wheel: --cuda needs a version (e.g. 12.4)", file=sys.stderr)
            return 2
        cuda, torch_version = args[at + 1] or None, "torch (given)"
        del args[at:at + 2]
    else:
        cuda, torch_version = torch_cuda()
    wheel, reason = wheel_for(cuda, torch_version)
    print(f"{wheel or 'none'}\t{reason}", flush=True)
    if dry_run or wheel is None:
        return 0
    command = [sys.executable, "-m", "pip", "install", *PIP_OPTIONS, *args, wheel]
    code = subprocess.call(command, stdout=sys.stderr)
    if code != 0:
        print(f"satseg: warning: {wheel} could not be installed (pip exit code {code}); band "
              "statistics run on NumPy. Retry later with: "
              f"{sys.executable} -m pip install {wheel}", file=sys.stderr)
        return 3 if strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
