"""The patch dataset: extracting it, describing it and loading it for training.

Owns the extraction stage, options (ExtractJob) -> extract_plan (find and check every input
before anything is written) -> extraction (`extract(job, events)`: tasks, worker pool,
dataset.json) with patches (what one worker cuts and writes); dataset (the dataset.json format,
band statistics, split counts); patch_data (listing and reading patches for training);
normalization (per-band methods whose statistics travel with a model) and augment (joint
image/mask augmentation). May import core and geo; never models, training, prediction or verbs.
"""
