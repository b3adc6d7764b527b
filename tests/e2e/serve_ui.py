"""``matdiscover serve`` for the end-to-end tests (the app includes the web UI itself).

Usage: python tests/e2e/serve_ui.py serve --port 8765 --data-dir DIR
"""

from __future__ import annotations

import sys

from matdiscover.cli.main import app as cli

if __name__ == "__main__":
    sys.exit(cli())
