"""The plugin shell in a real headless QGIS: menu, toolbar, dock, tools, settings, log."""

from __future__ import annotations

import pytest
from qgis.core import Qgis
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QMenu, QToolBar

import satseg_plugin
from conftest import flush, missing_part
from satseg_plugin import plugin as plugin_module
from satseg_plugin.core import settings
from satseg_plugin.core.engine_runner import EngineRunner, RunState
from satseg_plugin.gui.log_dock import LogDock
from satseg_plugin.gui.settings_dialog import SettingsDialog

SHELL_ACTIONS = ["Grid…", "Extract patches…", "Train…", "Search settings…", "Predict…",
                 "Settings…", "Set up engine environment…", "Show log"]


def ui_census(window) -> dict:
    """What a user could see of plugins in the main window."""
    return {"menus": [a.text() for a in window.menuBar().actions()],
            "toolbars": len(window.findChildren(QToolBar)),
            "docks": len(window.findChildren(QDockWidget)),
            "actions": len(window.findChildren(QAction)),
            "menu_objects": len(window.findChildren(QMenu))}


@pytest.fixture
def loaded_plugin(qgis_iface):
    plugin = satseg_plugin.classFactory(qgis_iface)
    plugin.initGui()
    yield plugin
    plugin.unload()
    flush()


def test_load_adds_menu_toolbar_dock_and_unload_removes_every_one(qgis_iface):
    window = qgis_iface.mainWindow()
    before = ui_census(window)
    for _ in range(2):  # a second load after unload: "reload plugin" works too
        plugin = satseg_plugin.classFactory(qgis_iface)
        plugin.initGui()
        menu = window.findChild(QMenu, plugin_module.MENU_OBJECT_NAME)
        assert "Satellite Segmentation" in [a.text() for a in window.menuBar().actions()]
        assert [a.text() for a in menu.actions() if not a.isSeparator()] == SHELL_ACTIONS
        toolbar = window.findChild(QToolBar, plugin_module.TOOLBAR_OBJECT_NAME)
        assert [a.text() for a in toolbar.actions() if not a.isSeparator()] == [
            "Grid…", "Extract patches…", "Train…", "Search settings…", "Predict…", "Settings…",
            "Show log"]
        assert all(not a.icon().isNull() for a in plugin.actions.values()), "an icon is missing"
        dock = window.findChild(QDockWidget, "satsegLogDock")
        assert dock is not None and not dock.isVisible()
        plugin.actions["log"].trigger()
        assert plugin.actions["log"].isChecked() and not dock.isHidden()
        plugin.open_settings()
        plugin.unload()
        flush()
        assert ui_census(window) == before


def test_a_tool_not_shipped_yet_says_so_in_the_message_bar(qgis_iface, loaded_plugin,
                                                            monkeypatch):
    monkeypatch.setitem(plugin_module.TOOLS, "train",
                        ("satseg_plugin.gui.no_such_train_dialog", "TrainDialog"))
    bar = qgis_iface.messageBar()
    bar.clear_messages()
    loaded_plugin.actions["train"].trigger()
    assert bar.get_messages(Qgis.Info) == [
        "satseg:Training is not available in this version yet."]
    assert "train" not in loaded_plugin.dialogs


def test_a_shipped_tool_opens_once_and_is_brought_back(qgis_iface, loaded_plugin, monkeypatch):
    monkeypatch.setitem(plugin_module.TOOLS, "grid",
                        ("satseg_plugin.gui.settings_dialog", "SettingsDialog"))
    first = loaded_plugin.open_tool("grid")
    assert isinstance(first, SettingsDialog) and first.isVisible()
    first.close()
    assert loaded_plugin.open_tool("grid") is first and first.isVisible()


def test_settings_dialog_saves_the_engine_python(qgis_app, saved_settings, tmp_path):
    dialog = SettingsDialog()
    dialog.python_edit.setText(f"  {tmp_path}/env/bin/python ")
    dialog.accept()
    assert settings.engine_python() == f"{tmp_path}/env/bin/python"
    dialog.deleteLater()


def test_check_with_a_missing_interpreter_explains_what_to_do(qgis_app, qtbot, tmp_path):
    missing = str(tmp_path / "nowhere" / "python")
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.python_edit.setText(missing)
    with qtbot.waitSignal(dialog.check_finished, timeout=10000) as blocker:
        dialog.check_button.click()
    assert blocker.args == [RunState.FAILED_TO_START]
    report = dialog.report_text()
    assert "Check failed" in report and f"{missing} does not exist" in report
    assert "Traceback" not in report and dialog.check_button.isEnabled()


def test_check_shows_the_real_doctor_report(qgis_app, qtbot, engine_python):
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.python_edit.setText(engine_python)
    with qtbot.waitSignal(dialog.check_finished, timeout=60000) as blocker:
        dialog.run_check()
    assert blocker.args == [RunState.DONE]
    report = dialog.report_text()
    for expected in ("The engine environment is ready.", "Engine", "0.1.", "PyTorch",
                     "CUDA devices", "rasterio", "GDAL", "CuPy", "Free disk", engine_python,
                     "Band statistics", "numpy: NumPy"):
        assert expected in report, expected


def test_log_dock_shows_log_lines_and_errors_from_a_real_run(qgis_iface, qtbot, engine_python):
    dock = LogDock(qgis_iface)
    runner = EngineRunner(engine_python)
    dock.attach(runner, "Selftest")
    bar = qgis_iface.messageBar()
    bar.clear_messages()
    with qtbot.waitSignal(runner.finished, timeout=60000):
        runner.start("selftest", {"seconds": 0, "steps": 1, "outcome": "error"})
    text = dock.text()
    assert "selftest started (engine" in text
    assert "INFO Selftest: selftest: pid" in text
    assert "ERROR Selftest: selftest failed as requested" in text
    assert "run selftest with outcome=done" in text
    assert bar.get_messages(Qgis.Critical) == [
        "Selftest:selftest failed as requested — run selftest with outcome=done"]
    assert "#c53030" in dock.view.document().toHtml(), "errors are shown in red"
    runner.deleteLater()
    dock.deleteLater()
    flush()


def test_french_translation_is_installed_and_removed(qgis_app):
    from satseg_plugin.gui.i18n import install_translator, translate
    from satseg_plugin.paths import i18n_path

    if not i18n_path("satseg_fr.qm").is_file():
        missing_part("i18n/satseg_fr.qm is not compiled (run `make transcompile`)")
    translator = install_translator("fr")
    try:
        assert translate("satseg", "Train…") == "Entraîner…"
        assert translate("satseg", "Training is not available in this version yet.") == (
            "L'entraînement n'est pas encore disponible dans cette version.")
    finally:
        QCoreApplication.removeTranslator(translator)
    assert translate("satseg", "Train…") == "Train…"
    assert install_translator("xx") is None
