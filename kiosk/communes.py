"""The province's communes (shipped as package data), used to validate a kiosk's location."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

DATA_FILE = "langson-communes-2025.csv"


@dataclass(frozen=True)
class Commune:
    """One commune-level unit (xã or phường) of the province."""

    province_code: str
    code: str
    name: str
    division_type: str


@cache
def all_communes() -> dict[str, Commune]:
    """Every commune of the shipped list, keyed by its 5-digit code."""
    text = resources.files("kiosk.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return {
        row["commune_code"]: Commune(
            row["province_code"], row["commune_code"], row["name"], row["division_type"]
        )
        for row in rows
    }


def provinces() -> set[str]:
    """Province codes present in the shipped list."""
    return {c.province_code for c in all_communes().values()}


def find(code: str) -> Commune | None:
    """The commune with that code, or None."""
    return all_communes().get(code)
