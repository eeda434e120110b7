"""satseg engine: semantic segmentation of satellite imagery, driven by jobs and events."""

import os

__version__ = "0.1.0"

# Tensors of 2 MB and more on transparent huge pages: torch's own switch, read at its first
# large allocation. On the CPU every forward pass allocates its activations afresh and glibc
# hands the large ones back to the kernel when they are freed, so the next window faults them
# in again, 4 KB at a time: `predict` at 5 000² (U-Net/resnet18, 704² windows, 2 cores) made
# 6.0 million page faults and spent 20 of its 64 CPU seconds in the kernel. On huge pages:
# 2.1 million faults, 12 s in the kernel, the same peak memory. A value the user set is kept
# (THP_MEM_ALLOC_ENABLE=0 turns it off); where the kernel has THP off it changes nothing.
os.environ.setdefault("THP_MEM_ALLOC_ENABLE", "1")
