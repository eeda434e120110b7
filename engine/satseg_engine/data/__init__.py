"""The patch dataset: extracting it, describing it and loading it for training.

Owns the extraction stage, options (ExtractJob, SourceOptions) -> extract_plan and source_plan
(find and check every input and source before anything is written) -> extraction
(`extract(job, events)`: tasks, worker pool, dataset.json) with patches and source_patches (what
one worker cuts and writes); sources (SourceInfo: a source's bands, dates and statistics, date
presence, per-source normalisation; shared with training and prediction); dataset (the
dataset.json format, band statistics, split counts); patch_data (listing and reading patches of
one source or several for training);
normalization (per-band methods whose statistics travel with a model) and augment (joint
image/mask augmentation). May import core and geo; never models, training, prediction or verbs.
"""
