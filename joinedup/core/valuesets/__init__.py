"""Coded values, loaded from the CSV files beside this module (their README names each source)."""

import csv
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def value_set(name: str) -> tuple[dict[str, str], ...]:
    with open(HERE / f"{name}.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def value_set_choices(name: str) -> list[tuple[str, str]]:
    return [(row["code"], row["label"]) for row in value_set(name)]


def value_set_lookup(name: str, column: str = "label") -> dict[str, str]:
    return {row["code"]: row[column] for row in value_set(name)}
