"""The ground floor: what every verb and stage stands on, and nothing about imagery.

Owns jobs (frozen dataclasses validated before any work), events (the JSON-line protocol on
stdout and its throttling), errors (SatsegError/JobError/Cancelled with codes and hints), cli
(`satseg VERB`: flags from job fields, the private stdout, one terminal event per run), fileio
(atomic writes: nothing half-written under a final name), human (progress bars and tables
when a person watches) and threads (helper threads named in the OS too). Imports only the
standard library at module level and no other engine package; the verb table in cli names verb
modules as strings, so core never imports a verb.
"""
