"""The ``cordon`` command line (docs/cli.md is the contract scripts rely on).

Each command group lives in its own module with a ``register(subparsers, common)`` function that
adds its parsers and sets ``handler`` on each; ``main`` builds the parser from those modules.
The desktop package passes extra modules (``demo``) and the launcher for the bare ``cordon``.
"""

from sync.cli.main import main

__all__ = ["main"]
