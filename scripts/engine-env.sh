#!/usr/bin/env bash
# Create (or reuse) the engine's virtual environment and print its path on the last line.
#
# The environment lives in a user cache directory keyed by a hash of the engine's requirement files:
# it is reused while they are unchanged and rebuilt when they change, so a fresh clone (CI) does not
# download several GB of torch every run, and a new machine still builds it from nothing.
# The engine package itself is (re)installed in editable mode from *this* checkout every time:
# that takes seconds and keeps a shared environment pointing at the clone being tested.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base_python=${ENGINE_BASE_PYTHON:-/usr/bin/python3}
hash=$(cat "$here/engine/requirements.txt" "$here/engine/constraints.txt" \
           "$here/engine/requirements-dev.txt" | sha256sum | cut -c1-12)
venv=${ENGINE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/satseg/engine-$hash}
pip_opts=(--disable-pip-version-check --no-input --progress-bar off)

if [ ! -f "$venv/.complete" ]; then
    echo "satseg: building the engine environment in $venv (torch is large: a few minutes)" >&2
    rm -rf "$venv.partial"
    "$base_python" -m venv "$venv.partial"
    "$venv.partial/bin/python" -m pip install "${pip_opts[@]}" -q --upgrade pip >&2
    "$venv.partial/bin/python" -m pip install "${pip_opts[@]}" -c "$here/engine/constraints.txt" \
        -r "$here/engine/requirements.txt" -r "$here/engine/requirements-dev.txt" >&2
    # venvs hard-code their own path: build under .partial, then recreate the scripts in place.
    rm -rf "$venv"
    mv "$venv.partial" "$venv"
    "$base_python" -m venv --upgrade "$venv" >&2
    sed -i "s#$venv.partial#$venv#g" "$venv"/bin/* 2>/dev/null || true
    touch "$venv/.complete"
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
