"""Entry script for the frozen desktop build: the same `cordon` command as the wheel's."""

import sys

from desktop.main import main

if __name__ == "__main__":
    sys.exit(main())
