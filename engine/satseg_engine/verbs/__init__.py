"""Engine verbs: one module each, registered in `satseg_engine.cli.VERBS`."""
