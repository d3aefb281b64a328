"""Coded values, loaded from the CSV files beside this module (their README names each source)."""

import csv
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def value_set(name: str, folder: Path = HERE) -> tuple[dict[str, str], ...]:
    """The rows of `<folder>/<name>.csv`, read once. Apps keep their own sets in their data/ folder."""
    with open(Path(folder) / f"{name}.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def value_set_choices(name: str, folder: Path = HERE) -> list[tuple[str, str]]:
    return [(row["code"], row["label"]) for row in value_set(name, folder)]


def value_set_lookup(name: str, column: str = "label") -> dict[str, str]:
    return {row["code"]: row[column] for row in value_set(name)}
