"""The `doctor` summary and run failures as readable HTML for the settings dialog."""

from __future__ import annotations

import html
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .i18n import translate

OK_COLOUR = "#2f855a"
BAD_COLOUR = "#c53030"
WARN_COLOUR = "#b7791f"


def _e(value: Any) -> str:
    return html.escape(str(value))


def _row(label: str, value: str) -> str:
    return (f'<tr><td style="padding:2px 12px 2px 0;color:#4a5568;white-space:nowrap">'
            f'{_e(label)}</td><td style="padding:2px 0">{value}</td></tr>')


def _mark(ok: bool, text: str) -> str:
    colour = OK_COLOUR if ok else BAD_COLOUR
    sign = "✔" if ok else "✘"
    return f'<span style="color:{colour}">{sign}</span> {_e(text)}'


def _package(version: Optional[str]) -> str:
    if version is None:
        return _mark(False, translate("satseg", "missing"))
    return _mark(True, version)


def _gpu_rows(torch: Dict[str, Any]) -> List[Tuple[str, str]]:
    devices = torch.get("devices") or []
    if not devices:
        note = (translate("satseg", "none — training and prediction run on the CPU (slower)")
                if torch.get("installed") else "—")
        return [(translate("satseg", "CUDA devices"), f'<span style="color:{WARN_COLOUR}">'
                 f"{_e(note)}</span>")]
    rows = []
    for device in devices:
        text = translate("satseg", "{name}: {free} GB free of {total} GB (compute {cap}{bf16})"
                         ).format(name=device.get("name", "?"),
                                  free=device.get("memory_free_gb", "?"),
                                  total=device.get("memory_total_gb", "?"),
                                  cap=device.get("capability", "?"),
                                  bf16=", bf16" if device.get("bf16") else "")
        rows.append((translate("satseg", "GPU {index}").format(index=device.get("index", 0)),
                     _mark(True, text)))
    return rows


def doctor_report_html(summary: Dict[str, Any], warnings: Iterable[str] = ()) -> str:
    """The `doctor` verb's summary as an HTML table a user can read at a glance."""
    packages = summary.get("packages") or {}
    torch = summary.get("torch") or {}
    cupy = summary.get("cupy") or {}
    disk = summary.get("disk") or {}
    stats = cupy.get("statistics") or {}  # which array module the band statistics use, why
    if summary.get("ok"):
        colour, verdict = OK_COLOUR, translate("satseg", "The engine environment is ready.")
    else:
        colour, verdict = BAD_COLOUR, translate("satseg", "The engine environment is "
                                                          "incomplete.")
    headline = f'<h3 style="color:{colour}">{_e(verdict)}</h3>'
    if torch.get("installed"):
        torch_text = _mark(True, translate("satseg", "{version} ({build} build)").format(
            version=torch.get("version", "?"), build=torch.get("build", "?")))
        reason = (torch.get("build_choice") or {}).get("reason")
        if reason:
            torch_text += f'<br><span style="color:#718096">{_e(reason)}</span>'
    else:
        torch_text = _mark(False, translate("satseg", "not importable: {error}").format(
            error=torch.get("error", "?")))
    if cupy.get("available"):
        cupy_text = _mark(True, str(cupy.get("version", "?")))
    else:
        reason = translate("satseg", "not used: {reason}").format(reason=cupy.get("reason", "?"))
        cupy_text = f'<span style="color:#718096">{_e(reason)}</span>'
    gdal = packages.get("gdal")
    rasterio = packages.get("rasterio")
    rasterio_text = _package(rasterio) + (f" (GDAL {_e(gdal)})" if gdal else "")
    rows: List[Tuple[str, str]] = [
        (translate("satseg", "Engine"), _e(summary.get("engine_version", "?"))),
        (translate("satseg", "Python"), _e(summary.get("python", "?"))),
        (translate("satseg", "Platform"), _e(summary.get("platform", "?"))),
        ("PyTorch", torch_text),
        *_gpu_rows(torch),
        ("torchvision", _package(packages.get("torchvision"))),
        ("segmentation-models-pytorch", _package(packages.get("segmentation_models_pytorch"))),
        ("CuPy", cupy_text),
        (translate("satseg", "Band statistics"), _e(f"{stats.get('backend') or '—'}: "
                                                    f"{stats.get('reason', '?')}")),
        ("rasterio", rasterio_text),
        ("geopandas", _package(packages.get("geopandas"))),
        ("numpy", _package(packages.get("numpy"))),
    ]
    if disk:
        rows.append((translate("satseg", "Free disk"), _e(translate(
            "satseg", "{free} GB of {total} GB in {path}").format(
            free=disk.get("free_gb", "?"), total=disk.get("total_gb", "?"),
            path=disk.get("path", "?")))))
    table = "<table>" + "".join(_row(label, value) for label, value in rows) + "</table>"
    notes = "".join(f'<p style="color:{WARN_COLOUR}">⚠ {_e(text)}</p>' for text in warnings)
    return headline + table + notes


def failure_html(failure: Any) -> str:
    """A RunFailure as a red headline, its message and hint, and the engine's last stderr lines
    when the engine itself broke (crash, non-zero exit)."""
    title = translate("satseg", "Check failed")
    parts = [f'<h3 style="color:{BAD_COLOUR}">{_e(title)}</h3>',
             f"<p>{_e(getattr(failure, 'message', '') or failure.text())}</p>"]
    if getattr(failure, "key", ""):
        label = translate("satseg", "Setting:")
        parts.append(f"<p>{_e(label)} <code>{_e(failure.key)}</code></p>")
    if getattr(failure, "hint", ""):
        label = translate("satseg", "How to fix:")
        parts.append(f"<p><b>{_e(label)}</b> {_e(failure.hint)}</p>")
    tail = getattr(failure, "stderr_tail", "")
    if tail:
        last = "\n".join(tail.splitlines()[-15:])
        parts.append(f'<pre style="color:#4a5568">{_e(last)}</pre>')
    return "".join(parts)
