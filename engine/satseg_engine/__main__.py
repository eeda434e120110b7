"""`python -m satseg_engine VERB ...` is the same as `satseg VERB ...`."""

import sys

from .core.cli import main

sys.exit(main())
