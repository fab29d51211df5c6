"""PyInstaller entry script: the same ``main`` the ``pipedriven-desktop`` gui-script runs."""

import sys

from pipedriven_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
