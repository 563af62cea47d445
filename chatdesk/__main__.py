"""``python -m chatdesk`` and the ``chatdesk`` console script."""

from __future__ import annotations

import argparse
import sys


def main() -> None:
    from chatdesk.cli import main as cli_main

    sys.exit(cli_main(window=_window))


def _window(args: argparse.Namespace) -> int:
    """The window (only imported when no subcommand was given: the CLI stays light)."""
    from chatdesk.app import run_app

    return run_app(args)


if __name__ == "__main__":
    main()
