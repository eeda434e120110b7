"""`python -m satseg_engine VERB ...` is the same as `satseg VERB ...`."""

import sys

from .cli import main

sys.exit(main())
