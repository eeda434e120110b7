"""The plugin's widgets: dialogs, the log dock, translations."""
