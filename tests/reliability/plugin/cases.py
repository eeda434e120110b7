"""The plugin's reliability matrix: each row runs through a real Extract patches dialog in headless
QGIS and a real engine subprocess (the real engine, a Python without it, or a small fake engine
script run by a real interpreter), in `test_rel_plugin.py`, parametrised by `Case.id`. No QGIS
import here: `scripts/reliability_doc.py` reads this table to write docs/reliability.md.

Every row also checks that the event loop kept running during the run (a timer never waited
more than a second), that Run is enabled again and Cancel disabled afterwards, and that the
engine process and its process group are gone.
"""

from __future__ import annotations

from case import Case

FAMILY = "plugin"

CASES: tuple[Case, ...] = (
    # -- the engine interpreter ----------------------------------------------------------------
    Case("plugin-engine-missing", FAMILY, "the engine Python set in satseg Settings does not "
         "exist (a deleted environment)", "the dialog says the interpreter does not exist and to "
         "choose another one in satseg Settings or run 'Set up engine environment'",
         "failed_to_start"),
    Case("plugin-engine-not-satseg", FAMILY, "the engine Python is a real Python without "
         "satseg's engine (/usr/bin/python3)", "the dialog says this Python has no satseg engine "
         "and how to choose or set one up (not a bare 'exit code 1')", "not_an_engine"),
    Case("plugin-engine-incomplete", FAMILY, "the engine environment lacks one of its packages "
         "(the engine stops with ModuleNotFoundError)", "the dialog names the missing package "
         "and says to run 'Set up engine environment' again", "engine_incomplete"),
    # -- an engine that misbehaves -------------------------------------------------------------
    Case("plugin-engine-crash", FAMILY, "the engine crashes: a Python traceback on stderr, "
         "exit code 1, no error event", "the dialog gives the exit code and the last line of the "
         "traceback, and says where the whole output is (the satseg log) and what to do",
         "exit_code"),
    Case("plugin-engine-killed", FAMILY, "the engine dies from a signal (a segmentation "
         "fault in a native library)", "the dialog says the engine crashed, with the same "
         "advice", "crashed"),
    Case("plugin-engine-garbage", FAMILY, "the engine writes lines that are not events "
         "(stray prints, a JSON array, an unknown event type, a cut JSON line) and then "
         "succeeds", "the run succeeds; each bad line is a warning in the satseg log, at most "
         "10 of them and one line saying more were hidden"),
    Case("plugin-engine-huge-line", FAMILY, "the engine writes one 24 MiB line without a "
         "newline, then succeeds", "the line is dropped as it arrives (memory stays bounded, "
         "QGIS keeps redrawing), one warning says so, and the run succeeds"),
    Case("plugin-engine-no-events", FAMILY, "the engine Python runs something else: it prints "
         "text, never an event, and exits 0", "the dialog says the engine ended without "
         "reporting success or failure, that it wrote lines that are not satseg events, and "
         "asks whether that Python is satseg's engine", "no_terminal_event"),
    Case("plugin-engine-cut-output", FAMILY, "the engine's output ends in the middle of its "
         "last event (it exits 0 after half a line)", "the dialog says the engine ended "
         "without reporting success or failure", "no_terminal_event"),
    # -- engine errors as the dialog shows them --------------------------------------------------
    Case("plugin-error-dataset-exists", FAMILY, "Run into a folder that already holds a "
         "dataset, 'Replace' not ticked", "the dialog shows the engine's message, the key and "
         "the hint (set overwrite); ticking 'Replace' and running again succeeds",
         "dataset_exists"),
    Case("plugin-error-labels-outside", FAMILY, "the label raster lies somewhere else (no "
         "overlap with the image)", "the dialog shows the message and the hint; choosing the "
         "right labels and running again succeeds", "labels_outside"),
    Case("plugin-label-zero-dropped", FAMILY, "a label raster with classes 0–4 and no nodata, "
         "value 0 left unticked in the class table", "the class table shows value 0 as an "
         "unticked row with its share; the run succeeds with 4 classes and the satseg log shows "
         "the engine's warning with the share (20.0 %) and the fix"),
    # -- stopping --------------------------------------------------------------------------------
    Case("plugin-dialog-closed", FAMILY, "the dialog is closed while the engine extracts",
         "the engine is stopped (SIGTERM, then its process group is killed): no engine process "
         "or worker is left, no dataset under the final name", "cancelled"),
    Case("plugin-qgis-closed", FAMILY, "QGIS is closed (the plugin unloads) while the engine "
         "extracts", "unload stops every running engine before it returns: no engine process "
         "or worker outlives QGIS, no dataset under the final name", "cancelled"),
)
