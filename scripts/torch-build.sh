#!/usr/bin/env bash
# Which PyTorch build the engine environment gets, and why: prints "BUILD<TAB>REASON", BUILD being
# `cpu` (PyTorch's CPU wheel index: a few hundred MB, with the matching torchvision) or `pypi`
# (PyPI's build: the CUDA one on Linux, about 6 GB, which runs on the CPU too).
#
# * SATSEG_TORCH_BUILD=cpu or pypi forces one (auto, the default, chooses);
# * an NVIDIA GPU (`nvidia-smi -L` lists one): pypi, for CUDA;
# * no GPU: cpu when the CPU index (SATSEG_CPU_TORCH_INDEX, default PyTorch's) answers within
#   10 s with a torch listing, else pypi.
# Usage: torch-build.sh [PYTHON]   (the Python that probes the index; default python3)
#
# torch-build.sh --cupy ENGINE_PYTHON prints "WHEEL<TAB>REASON": the CuPy wheel of the CUDA that
# ENGINE_PYTHON's torch is built for (engine/satseg_engine/core/cupy_wheel.py), or `none` (no
# NVIDIA GPU, a CPU torch, or SATSEG_CUPY=no); scripts/engine-env.sh installs it. Downloads nothing.
set -euo pipefail

has_gpu() {
    command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU '
}

if [ "${1:-}" = --cupy ]; then
    engine_python=${2:?usage: torch-build.sh --cupy ENGINE_PYTHON}
    case "${SATSEG_CUPY:-auto}" in
        no) printf 'none\tSATSEG_CUPY=no\n'; exit 0 ;;
        auto) ;;
        *) echo "satseg: SATSEG_CUPY must be auto or no (not '${SATSEG_CUPY}')" >&2; exit 2 ;;
    esac
    if ! has_gpu; then
        printf 'none\tno NVIDIA GPU: band statistics run on NumPy\n'
        exit 0
    fi
    exec "$engine_python" "$(dirname "$0")/../engine/satseg_engine/core/cupy_wheel.py" --dry-run
fi
python=${1:-python3}
cpu_index=${SATSEG_CPU_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}
case "${SATSEG_TORCH_BUILD:-auto}" in
    cpu) printf 'cpu\tSATSEG_TORCH_BUILD=cpu\n' ;;
    pypi) printf 'pypi\tSATSEG_TORCH_BUILD=pypi\n' ;;
    auto)
        if has_gpu; then
            printf "pypi\tan NVIDIA GPU is present: PyPI's CUDA build\n"
        elif "$python" - "$cpu_index/torch/" >/dev/null 2>&1 <<'PROBE'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as answer:
    sys.exit(0 if answer.status == 200 and b"torch-" in answer.read(1 << 20) else 1)
PROBE
        then
            printf "cpu\tno NVIDIA GPU, and PyTorch's CPU index (%s) answered\n" "$cpu_index"
        else
            printf "pypi\tno NVIDIA GPU, but PyTorch's CPU index (%s) did not answer: PyPI's build (CUDA, runs on the CPU)\n" "$cpu_index"
        fi ;;
    *) echo "satseg: SATSEG_TORCH_BUILD must be auto, cpu or pypi (not '${SATSEG_TORCH_BUILD}')" >&2
       exit 2 ;;
esac
