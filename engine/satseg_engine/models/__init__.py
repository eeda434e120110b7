"""Networks and what trains and judges them, independent of where the pixels come from.

Owns registry (architecture name -> builder: the custom U-Net and every
segmentation-models-pytorch architecture; an unknown name lists the valid ones), losses (loss
name -> builder, class weights), metrics (confusion matrices and per-class scores), schedules
(warm-up and learning-rate schedules) and checkpoint (one file: weights plus the plain-data
header that prediction needs). Multi-source and time-series networks: multisource (the
FUSION_LEVELS and TEMPORAL_MODES registries, build_multisource, check_multisource), networks
(early, mid and late fusion), streams (2D encoder streams), temporal (U-TAE and 3D U-Net streams,
masked temporal attention) and fusion (FUSION_METHODS: the per-stage fusion modules). May import
core only: a model never knows about rasters.
"""
