"""Networks and what trains and judges them, independent of where the pixels come from.

Owns registry (architecture name -> builder: the custom U-Net and every
segmentation-models-pytorch architecture; an unknown name lists the valid ones), losses (loss
name -> builder, class weights), metrics (confusion matrices and per-class scores), schedules
(warm-up and learning-rate schedules) and checkpoint (one file: weights plus the plain-data
header that prediction needs). May import core only: a model never knows about rasters.
"""
