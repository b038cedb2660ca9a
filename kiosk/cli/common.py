"""Helpers shared by the command modules: opening the kiosk's store, printing tables."""

from __future__ import annotations

import argparse
import os

from kiosk import config as config_mod
from kiosk import i18n
from kiosk.config import Config
from kiosk.store.db import open_database


def load_config(args: argparse.Namespace) -> Config:
    """The validated configuration, and the language switched to it."""
    config = config_mod.load(args.config)
    if "KIOSK_LANGUAGE" not in os.environ:
        i18n.set_language(config.language, config.data_dir / "locale")
    return config


def open_store(args: argparse.Namespace) -> Config:
    """Load the configuration and open (and upgrade) the database; nothing else is changed
    (loan retention is its own step: `kiosk reader forget-old-loans`, run nightly)."""
    config = load_config(args)
    open_database(config.db_path)
    return config


def print_table(rows: list[list[str]]) -> None:
    """Print rows as left-aligned columns."""
    if not rows:
        return
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
