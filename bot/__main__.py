"""`python -m bot`: see `python -m bot --help`."""

import sys

from bot.cli import main

sys.exit(main())
