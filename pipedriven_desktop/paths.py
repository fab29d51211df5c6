"""Where the app keeps its files, per the platform's conventions."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "pipedriven-desktop"
APP_AUTHOR = "Pipedriven"
DEFAULT_BASE_URL = "https://api.pipedrive.com"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    return data_dir() / "mirror.sqlite3"


def demo_db_path() -> Path:
    return data_dir() / "demo.sqlite3"
