"""``python -m ticketcore``: the command line."""

import sys

from ticketcore.cli import main

if __name__ == "__main__":
    sys.exit(main())
