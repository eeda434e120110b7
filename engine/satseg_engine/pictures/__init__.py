"""What a person looks at: dataset previews and scene overviews as PNGs.

Owns composite (band choice by name, percentile stretch, class colours), options (PreviewJob,
OverviewJob), preview (`draw_preview`: patches per split with labels over them) and overview
(`draw_overview`: image, labels, prediction and confidence side by side, read decimated).
May import core, geo and data.
"""
