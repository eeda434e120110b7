"""The plugin shell: a "Satellite Segmentation" menu, the satseg toolbar, the log dock.

Tools (Grid, Extract patches, Train, Search settings, Predict) are dialogs registered in `TOOLS`
and imported only when their action fires, so a tool that is not shipped yet cannot break
loading the plugin.
"""

from __future__ import annotations

import importlib
import traceback
from typing import Any, Callable, Dict, List, Optional, Tuple

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMenu, QToolBar, QWidget

from .core import engine_runner
from .gui import log_dock
from .gui.i18n import install_translator, translate
from .paths import icon_path

#: tool name -> (module, dialog class); the dialog is built as Class(iface, parent=main window)
TOOLS: Dict[str, Tuple[str, str]] = {
    "grid": ("satseg_plugin.gui.grid_dialog", "GridDialog"),
    "extract": ("satseg_plugin.gui.extract_dialog", "ExtractDialog"),
    "train": ("satseg_plugin.gui.train_dialog", "TrainDialog"),
    "tune": ("satseg_plugin.gui.tune_dialog", "TuneDialog"),
    "predict": ("satseg_plugin.gui.predict_dialog", "PredictDialog"),
}
MENU_OBJECT_NAME = "satsegMenu"
TOOLBAR_OBJECT_NAME = "satsegToolBar"


def tool_texts() -> Dict[str, Tuple[str, str]]:
    """tool name -> (action text, message when the tool is not shipped in this version)."""
    return {
        "grid": (translate("satseg", "Grid…"),
                 translate("satseg", "The grid tool is not available in this version yet.")),
        "extract": (translate("satseg", "Extract patches…"),
                    translate("satseg", "Patch extraction is not available in this version "
                                        "yet.")),
        "train": (translate("satseg", "Train…"),
                  translate("satseg", "Training is not available in this version yet.")),
        "tune": (translate("satseg", "Search settings…"),
                 translate("satseg", "The settings search is not available in this version "
                                     "yet.")),
        "predict": (translate("satseg", "Predict…"),
                    translate("satseg", "Prediction is not available in this version yet.")),
    }


class SatsegPlugin:
    """What QGIS loads: builds the menu, toolbar and dock in initGui, removes them in unload."""

    def __init__(self, iface: Any):
        self.iface = iface
        self.actions: Dict[str, QAction] = {}
        self.menu: Optional[QMenu] = None
        self.toolbar: Optional[QToolBar] = None
        self.log_dock: Optional[log_dock.LogDock] = None
        self.translator = None
        self.dialogs: Dict[str, QWidget] = {}
        self.provider: Optional[Any] = None

    # -- Processing ------------------------------------------------------------------------
    def initProcessing(self) -> None:
        """Register the satseg Processing provider (qgis_process calls this alone; initGui
        calls it too). A second call keeps the provider already registered."""
        if self.provider is not None:
            return
        try:
            from .processing.provider import SatsegProvider
        except Exception:  # noqa: BLE001 - the menu and dialogs must load all the same
            QgsMessageLog.logMessage(traceback.format_exc(), "satseg", Qgis.Critical)
            return
        self.provider = SatsegProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    # -- load / unload ---------------------------------------------------------------------
    def initGui(self) -> None:
        self.translator = install_translator()
        self.initProcessing()
        window = self.iface.mainWindow()
        self.menu = QMenu(translate("satseg", "Satellite Segmentation"), window)
        self.menu.setObjectName(MENU_OBJECT_NAME)
        _insert_menu(window.menuBar(), self.menu)
        self.toolbar = QToolBar(translate("satseg", "satseg"), window)
        self.toolbar.setObjectName(TOOLBAR_OBJECT_NAME)
        self.iface.addToolBar(self.toolbar)

        for name, (text, _) in tool_texts().items():
            self._add_action(name, text, name, lambda _=False, tool=name: self.open_tool(tool))
        self.menu.addSeparator()
        self.toolbar.addSeparator()
        self._add_action("settings", translate("satseg", "Settings…"), "settings",
                         self.open_settings)
        self._add_action("setup", translate("satseg", "Set up engine environment…"), "setup",
                         self.open_setup, toolbar=False)
        log_action = self._add_action("log", translate("satseg", "Show log"), "log",
                                      self.show_log)
        log_action.setCheckable(True)

        self.log_dock = log_dock.LogDock(self.iface, window)
        self.iface.addDockWidget(Qt.BottomDockWidgetArea, self.log_dock)
        self.log_dock.hide()
        self.log_dock.visibilityChanged.connect(log_action.setChecked)
        log_dock.set_active_dock(self.log_dock)

    def unload(self) -> None:
        """Stop running engines first (no engine outlives the plugin or QGIS), then remove
        everything the plugin added."""
        engine_runner.stop_all()
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        for dialog in self.dialogs.values():
            _dispose(dialog, close=True)
        self.dialogs.clear()
        for action in self.actions.values():
            if self.menu is not None:
                self.menu.removeAction(action)
            if self.toolbar is not None:
                self.toolbar.removeAction(action)
            action.deleteLater()
        self.actions.clear()
        window = self.iface.mainWindow()
        if self.menu is not None:
            window.menuBar().removeAction(self.menu.menuAction())
            _dispose(self.menu)
            self.menu = None
        if self.toolbar is not None:
            window.removeToolBar(self.toolbar)
            _dispose(self.toolbar)
            self.toolbar = None
        if self.log_dock is not None:
            log_dock.set_active_dock(None)
            self.iface.removeDockWidget(self.log_dock)
            _dispose(self.log_dock)
            self.log_dock = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None

    def _add_action(self, name: str, text: str, icon: str, slot: Callable[..., Any],
                    toolbar: bool = True) -> QAction:
        action = QAction(_icon(icon), text, self.iface.mainWindow())
        action.setObjectName(f"satseg_{name}")
        action.triggered.connect(slot)
        self.menu.addAction(action)
        if toolbar:
            self.toolbar.addAction(action)
        self.actions[name] = action
        return action

    # -- actions ---------------------------------------------------------------------------
    def open_tool(self, name: str) -> Optional[QWidget]:
        """Open (or bring forward) a tool's dialog; say so plainly if it is not shipped yet."""
        module_name, class_name = TOOLS[name]
        text, unavailable = tool_texts()[name]
        existing = self.dialogs.get(name)
        if existing is not None and not sip.isdeleted(existing):
            existing.show()
            existing.raise_()
            existing.activateWindow()
            return existing
        try:
            module = importlib.import_module(module_name)
            dialog_class = getattr(module, class_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                return self._report_broken_tool(text, exc)
            self.iface.messageBar().pushMessage(translate("satseg", "satseg"), unavailable,
                                                Qgis.Info, 8)
            return None
        except Exception as exc:  # noqa: BLE001 - a broken tool must not break QGIS
            return self._report_broken_tool(text, exc)
        dialog = dialog_class(self.iface, parent=self.iface.mainWindow())
        dialog.setAttribute(Qt.WA_DeleteOnClose, False)
        self.dialogs[name] = dialog
        dialog.show()
        return dialog

    def _report_broken_tool(self, text: str, exc: BaseException) -> None:
        QgsMessageLog.logMessage(traceback.format_exc(), "satseg", Qgis.Critical)
        self.iface.messageBar().pushMessage(
            translate("satseg", "satseg"),
            translate("satseg", "Could not open {tool}: {error}").format(
                tool=text.rstrip("…"), error=exc), Qgis.Critical, 0)
        return None

    def open_settings(self) -> QWidget:
        from .gui.settings_dialog import SettingsDialog

        dialog = self.dialogs.get("settings")
        if dialog is None:
            dialog = SettingsDialog(self.iface, parent=self.iface.mainWindow())
            self.dialogs["settings"] = dialog
        dialog.show()
        dialog.raise_()
        return dialog

    def open_setup(self) -> QWidget:
        from .gui.setup_dialog import SetupDialog

        dialog = self.dialogs.get("setup")
        if dialog is None:
            dialog = SetupDialog(self.iface, parent=self.iface.mainWindow())
            dialog.check_requested.connect(self._check_new_environment)
            self.dialogs["setup"] = dialog
        dialog.show()
        dialog.raise_()
        return dialog

    def _check_new_environment(self, python: str) -> None:
        self.open_settings().use_and_check(python)

    def show_log(self, visible: bool = True) -> None:
        if self.log_dock is not None:
            self.log_dock.setVisible(visible)
            if visible:
                self.log_dock.raise_()


def _icon(name: str) -> QIcon:
    return QIcon(str(icon_path(name)))


def _insert_menu(menu_bar: Any, menu: QMenu) -> None:
    """Put the menu before QGIS's Help menu (where plugin menus usually go), else at the end."""
    actions: List[QAction] = menu_bar.actions()
    for action in actions:
        if action.menu() is not None and action.menu().objectName() == "mHelpMenu":
            menu_bar.insertMenu(action, menu)
            return
    menu_bar.addMenu(menu)


def _dispose(widget: QWidget, close: bool = False) -> None:
    """Detach and delete a widget the plugin created (so reloading leaves nothing behind)."""
    if close:
        widget.close()
    widget.setParent(None)
    widget.deleteLater()
