"""Engine verbs: one thin module each, registered by name in `satseg_engine.core.cli.VERBS`.

A verb module holds `HELP`, `Job` (the job class, imported from its stage's `options` module),
`run(job, events)` that calls its stage, and optionally `device(job)` and `POSITIONAL`. The
report verbs (doctor, info, inspect, models, selftest) format what the engine already knows and
keep that formatting here. Verbs may import every stage; nothing imports a verb, and a verb
never imports another verb. Top-level imports stay light so `satseg --help` starts fast.
"""
