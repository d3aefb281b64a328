"""The health check value sets (data/*.csv, sources in data/README.md), read once."""

from decimal import Decimal
from functools import cache
from pathlib import Path

from joinedup.core.valuesets import value_set

DATA = Path(__file__).parent / "data"


def _rows(name):
    return value_set(name, DATA)


@cache
def smi_register_codes() -> dict[str, str]:
    return {r["code"]: r["term"] for r in _rows("smi_register")}


@cache
def remission_codes() -> dict[str, str]:
    return {r["code"]: r["term"] for r in _rows("smi_remission")}


@cache
def check_elements() -> dict[str, dict]:
    return {r["element"]: r for r in _rows("check_elements")}


def not_coded() -> list[str]:
    """The measured elements with no SNOMED CT code (so never in a practice's register update), as named on pages.
    The wider check's notes are never coded: pages say so in words."""
    return [
        r["description"]
        for r in check_elements().values()
        if not r["snomed_code"] and not r["element"].startswith("wider_")
    ]


@cache
def thresholds() -> tuple[dict, ...]:
    rows = []
    for r in _rows("followup_thresholds"):
        r = dict(r)
        if r["comparison"] != "equals":
            r["value"] = Decimal(r["value"])
        rows.append(r)
    return tuple(rows)
