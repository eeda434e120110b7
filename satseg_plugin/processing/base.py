"""What every satseg algorithm shares: the engine check, running a verb through SyncRunner with
events turned into QgsProcessingFeedback calls, and layer → file helpers.

An algorithm builds the same job dict its dialog builds (`job()`), runs the same verb
(`run_engine`) and turns the `done` summary into Processing outputs (`results()`).
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Tuple

from qgis.core import (
    QgsMapLayer,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsRasterLayer,
)
from qgis.PyQt.QtGui import QIcon

from ..core import layers, settings
from ..core.engine_command import interpreter_problem
from ..core.sync_runner import EngineRunError, SyncRunner
from ..gui.i18n import translate
from ..paths import icon_path

#: how scripts and qgis_process without a QGIS profile choose the engine
SHELL_FIX = ("From qgis_process or a script, setting SATSEG_ENGINE_PYTHON to the engine's "
             "Python also works.")


class SatsegAlgorithm(QgsProcessingAlgorithm):
    """Base of the satseg algorithms: subclasses set VERB/ICON and write `initAlgorithm`,
    `displayName`, `shortHelpString`, `job` and `results`."""

    VERB = ""
    ICON = "satseg"

    # -- identity ---------------------------------------------------------------------------
    def name(self) -> str:
        return self.VERB

    def icon(self) -> QIcon:
        return QIcon(str(icon_path(self.ICON)))

    def createInstance(self) -> "SatsegAlgorithm":
        return type(self)()

    def tr(self, text: str) -> str:
        return translate("satseg", text)

    # -- running ----------------------------------------------------------------------------
    def checkParameterValues(self, parameters: Dict[str, Any], context: QgsProcessingContext
                             ) -> Tuple[bool, str]:
        """The engine interpreter first (a run without one cannot start), then Processing's
        own checks."""
        problem = engine_problem()
        if problem:
            return False, problem
        return super().checkParameterValues(parameters, context)

    def processAlgorithm(self, parameters: Dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        try:
            job = self.job(parameters, context, feedback)
            return self.execute(job, parameters, context, feedback)
        except layers.InputError as problem:
            raise QgsProcessingException(str(problem)) from None

    def execute(self, job: Dict[str, Any], parameters: Dict[str, Any],
                context: QgsProcessingContext, feedback: QgsProcessingFeedback
                ) -> Dict[str, Any]:
        """Run the verb and return the outputs (InputError: what the user must fix)."""
        summary = self.run_engine(job, feedback)
        return self.results(summary, job, parameters, context, feedback)

    def job(self, parameters: Dict[str, Any], context: QgsProcessingContext,
            feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        raise NotImplementedError

    def results(self, summary: Dict[str, Any], job: Dict[str, Any],
                parameters: Dict[str, Any], context: QgsProcessingContext,
                feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        raise NotImplementedError

    def run_engine(self, job: Dict[str, Any], feedback: QgsProcessingFeedback,
                   verb: str = "", work_dir: Optional[str] = None) -> Dict[str, Any]:
        """Run the verb with `job` to its end; QgsProcessingException with the engine's
        message and hint when it fails or is cancelled."""
        problem = engine_problem()
        if problem:
            raise QgsProcessingException(problem)
        bridge = FeedbackBridge(feedback)
        self.artifacts = bridge.artifacts
        runner = SyncRunner(settings.engine_python(), bridge.event, feedback.isCanceled,
                            bridge.unexpected)
        try:
            return runner.run(verb or self.VERB, job, work_dir)
        except EngineRunError as exc:
            if exc.failure.stderr_tail and exc.failure.code not in ("cancelled",):
                feedback.pushDebugInfo(exc.failure.stderr_tail)
            raise QgsProcessingException(str(exc)) from None

    # -- helpers ----------------------------------------------------------------------------
    def artifact(self, role: str, default: str = "") -> str:
        """The path of the last run's artifact event with this role."""
        paths = [str(a["path"]) for a in getattr(self, "artifacts", []) if a.get("role") == role]
        return paths[-1] if paths else default

    def layer_file(self, parameters: Dict[str, Any], name: str, context: QgsProcessingContext,
                   raster: bool) -> str:
        """The file of a raster/vector layer parameter ('' when the optional one is unset);
        InputError when the layer is not a local file the engine can read."""
        if parameters.get(name) in (None, ""):
            return ""
        layer: Optional[QgsMapLayer] = (
            self.parameterAsRasterLayer(parameters, name, context) if raster
            else self.parameterAsVectorLayer(parameters, name, context))
        if layer is None:
            raise layers.InputError(self.tr("{name}: the layer could not be opened.")
                                    .format(name=self.parameterDefinition(name).description()))
        return layers.file_source(layer)

    def extent_keys(self, parameters: Dict[str, Any], name: str, context: QgsProcessingContext,
                    raster: QgsRasterLayer) -> Dict[str, Any]:
        """{"extent": [xmin, ymin, xmax, ymax]} in the raster's CRS (the extent's own CRS is
        transformed), {} when the optional extent is unset."""
        if parameters.get(name) in (None, ""):
            return {}
        rect = self.parameterAsExtent(parameters, name, context, raster.crs())
        if rect.isNull() or rect.isEmpty():
            return {}
        return {"extent": [rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()]}

    def optional_number(self, parameters: Dict[str, Any], name: str,
                        context: QgsProcessingContext, integer: bool = False) -> Any:
        """The value of an optional number parameter, None when it is unset."""
        if parameters.get(name) in (None, ""):
            return None
        value = (self.parameterAsInt(parameters, name, context) if integer
                 else self.parameterAsDouble(parameters, name, context))
        return None if not integer and math.isnan(value) else value

    def enum_text(self, parameters: Dict[str, Any], name: str,
                  context: QgsProcessingContext) -> str:
        """The chosen option of a static-string enum (its default when absent; '' when an
        optional one without a default is unset)."""
        return self.parameterAsEnumString(parameters, name, context) or ""


def engine_problem() -> str:
    """'' when the configured engine interpreter can be started, else what to do."""
    problem = interpreter_problem(settings.engine_python())
    return f"{problem} {SHELL_FIX}" if problem else ""


class FeedbackBridge:
    """Engine events → QgsProcessingFeedback: progress, log lines, metrics, artifacts."""

    def __init__(self, feedback: QgsProcessingFeedback):
        self.feedback = feedback
        self.epochs = 0  # training: progress spans all epochs when the job says how many
        self.epoch = 0
        self.artifacts: List[Dict[str, Any]] = []

    def event(self, event: Dict[str, Any]) -> None:
        kind = event["type"]
        feedback = self.feedback
        if kind == "started":
            epochs = (event.get("job") or {}).get("epochs")
            self.epochs = epochs if isinstance(epochs, int) else 0
            feedback.pushInfo(f"satseg {event['verb']} (engine {event['engine_version']}, "
                              f"{event['device']})")
        elif kind == "progress":
            self.progress(event)
        elif kind == "log":
            level, message = str(event["level"]), str(event["message"])
            if level == "warning":
                feedback.pushWarning(message)
            elif level == "debug":
                feedback.pushDebugInfo(message)
            else:
                feedback.pushInfo(message)
        elif kind == "metric":
            self.metric(event)
        elif kind == "artifact":
            self.artifacts.append(event)
            feedback.pushDebugInfo(f"wrote {event['kind']} {event['path']}")

    def progress(self, event: Dict[str, Any]) -> None:
        done, total = event["done"], event["total"]
        if not total:
            return
        share = min(1.0, float(done) / float(total))
        if self.epochs and event.get("stage") == "train":
            share = min(1.0, (self.epoch + share) / self.epochs)
        self.feedback.setProgress(100.0 * share)
        self.feedback.setProgressText(f"{event['stage']}: {done}/{total} {event['unit']}")

    def metric(self, event: Dict[str, Any]) -> None:
        values = event.get("values") or {}
        text = ", ".join(f"{name} {value:.4g}" for name, value in values.items()
                         if isinstance(value, (int, float)))
        if event.get("step") is not None:
            self.feedback.pushDebugInfo(f"step {event['step']}: {text}")
            return
        if event.get("split") == "train":
            self.epoch = int(event.get("epoch") or 0)
        epoch = f"epoch {event['epoch']} " if event.get("epoch") else ""
        self.feedback.pushInfo(f"{epoch}{event['split']}: {text}")

    def unexpected(self, text: str) -> None:
        self.feedback.pushWarning(text)
