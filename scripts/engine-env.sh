#!/usr/bin/env bash
# Create (or reuse) the engine environment of this checkout and print its path on the last line.
#
# Two layers:
# * the dependencies (torch, smp, rasterio, ...: several GB) live in a user cache directory keyed
#   by a hash of the engine's requirement files: reused while they are unchanged, rebuilt when they
#   change, built from nothing on a new machine;
# * which PyTorch build: on a machine without an NVIDIA GPU, PyTorch's CPU wheels (a few hundred
#   MB, with the matching torchvision) when that index answers, else PyPI's build (the CUDA one,
#   about 6 GB, which runs on the CPU too); with a GPU, PyPI's CUDA build. SATSEG_TORCH_BUILD=cpu
#   or pypi forces one. The choice and its reason go into torch_build.json beside the packages,
#   where `satseg doctor` reads them; the CPU build has its own cache directory;
# * CuPy (band statistics on the GPU): with an NVIDIA GPU only, the wheel of the CUDA that torch
#   is built for (scripts/torch-build.sh --cupy), added to the complete cache as a separate step
#   and recorded in its .cupy file; a failed install only warns; SATSEG_CUPY=no skips it;
# * this checkout's own small venv (build/engine-venv) holds only the engine, installed editable
#   from this checkout, and sees the cached dependencies through a .pth file. Two clones never
#   share an editable install, so a test run always exercises its own clone's code.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base_python=${ENGINE_BASE_PYTHON:-/usr/bin/python3}
hash=$(cat "$here/engine/requirements.txt" "$here/engine/constraints.txt" \
           "$here/engine/requirements-dev.txt" | sha256sum | cut -c1-12)
# which torch build (cpu or pypi), and why
IFS=$'\t' read -r torch_build reason < <(bash "$here/scripts/torch-build.sh" "$base_python")
[ -n "$torch_build" ] || exit 2
cpu_index=${SATSEG_CPU_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}
suffix=""
[ "$torch_build" = cpu ] && suffix="-cpu"
deps=${ENGINE_DEPS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/satseg/engine-$hash$suffix}
venv=${ENGINE_VENV:-$here/build/engine-venv}
pip_opts=(--disable-pip-version-check --no-input --progress-bar off)

if [ ! -f "$deps/.complete" ]; then
    echo "satseg: building the engine's dependencies in $deps (torch is large: a few minutes)" >&2
    rm -rf "$deps.partial"
    "$base_python" -m venv "$deps.partial"
    "$deps.partial/bin/python" -m pip install "${pip_opts[@]}" -q --upgrade pip >&2
    echo "satseg: PyTorch build: $torch_build ($reason)" >&2
    if [ "$torch_build" = cpu ]; then
        # torch and torchvision from the CPU index first; the constraints' torch==X pins accept
        # X+cpu, so the next call keeps them
        "$deps.partial/bin/python" -m pip install "${pip_opts[@]}" -c "$here/engine/constraints.txt" \
            --index-url "$cpu_index" torch torchvision >&2
    fi
    "$deps.partial/bin/python" -m pip install "${pip_opts[@]}" -c "$here/engine/constraints.txt" \
        -r "$here/engine/requirements.txt" -r "$here/engine/requirements-dev.txt" >&2
    # venvs hard-code their own path: build under .partial, then fix the scripts in place.
    rm -rf "$deps"
    mv "$deps.partial" "$deps"
    "$base_python" -m venv --upgrade "$deps" >&2
    sed -i "s#$deps.partial#$deps#g" "$deps"/bin/* 2>/dev/null || true
    touch "$deps/.complete"
fi

deps_site=$("$deps/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
if [ ! -f "$deps_site/torch_build.json" ]; then
    # what was installed, and why (a cache built before this record existed: from the build)
    "$deps/bin/python" - "$deps_site/torch_build.json" "$torch_build" "$reason" <<'RECORD'
import json, os, sys
import torch
path, build, reason = sys.argv[1:]
installed = "cpu" if "+cpu" in torch.__version__ else "pypi"
if installed != build:  # the cache holds another build than this run would choose
    build, reason = installed, "recorded from the installed torch"
with open(path + ".partial", "w") as out:
    json.dump({"build": build, "reason": reason, "torch": torch.__version__,
               "cuda": torch.version.cuda}, out, indent=1)
os.replace(path + ".partial", path)
RECORD
fi
# CuPy (band statistics on the GPU): only with an NVIDIA GPU, the wheel of torch's CUDA major,
# installed into the complete and recorded cache as a separate step; .cupy records it. A failed
# install is a warning (statistics run on NumPy) and is tried again on the next run.
if [ ! -f "$deps/.cupy" ]; then
    IFS=$'\t' read -r cupy_wheel cupy_reason < <(bash "$here/scripts/torch-build.sh" --cupy \
                                                  "$deps/bin/python" || true) || cupy_wheel=none
    if [ -n "${cupy_wheel:-}" ] && [ "$cupy_wheel" != none ]; then
        echo "satseg: installing $cupy_wheel for band statistics on the GPU ($cupy_reason)" >&2
        # --strict: exit 3 after its warning when pip fails, so that no .cupy is written
        if "$deps/bin/python" "$here/engine/satseg_engine/core/cupy_wheel.py" --strict \
                "${pip_opts[@]}" -q -c "$here/engine/constraints.txt" >&2; then
            printf '%s\t%s\n' "$cupy_wheel" "$cupy_reason" > "$deps/.cupy"
        fi
    fi
fi
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.deps" 2>/dev/null)" != "$deps_site" ]; then
    rm -rf "$venv"
    "$base_python" -m venv --without-pip "$venv"
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
    # "import" lines of a .pth run at start-up: addsitedir also reads the cache's own .pth files
    echo "import site; site.addsitedir('$deps_site')" > "$site/satseg-engine-deps.pth"
    printf '%s' "$deps_site" > "$venv/.deps"
    ln -sf "$deps/bin/ruff" "$venv/bin/ruff"  # a standalone binary (pip would write to the cache)
fi
installed=$("$venv/bin/python" -c 'import satseg_engine; print(satseg_engine.__file__)' \
            2>/dev/null || true)
if [ "$installed" != "$here/engine/satseg_engine/__init__.py" ] || \
   [ "$here/engine/pyproject.toml" -nt "$venv/.engine-installed" ]; then
    "$venv/bin/python" -m pip install "${pip_opts[@]}" -q -c "$here/engine/constraints.txt" \
        --no-deps --no-build-isolation -e "$here/engine" >&2
    touch "$venv/.engine-installed"
fi
echo "$venv"
