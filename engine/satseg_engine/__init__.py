"""satseg engine: semantic segmentation of satellite imagery, driven by jobs and events."""

__version__ = "0.1.0"
