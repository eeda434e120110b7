"""Plugin logic that imports no widgets: settings, the event parser and the engine runner."""
