"""A stand-in for the NVIDIA driver's `nvidia-smi` (no GPU is lent to CI): a small script on
PATH that lists one GPU or fails as it does without a driver. The scripts under test
(scripts/torch-build.sh) really run it."""

from __future__ import annotations

import os
from pathlib import Path


def env_with_nvidia_smi(tmp_path: Path, gpu: bool) -> dict[str, str]:
    """The current environment with a `nvidia-smi` first on PATH that lists a GPU (gpu) or
    fails like a machine without a driver."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    smi = bin_dir / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H200 (UUID: GPU-1)'\n" if gpu
                   else "#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n")
    smi.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
