"""The service's reference data, read from joinedup/peersupport/data/: outcomes and their rating scale,
training modules, and the directory's categories. Change the files, not the code."""

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    question: str


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Module:
    code: str
    title: str
    audience: str  # all, volunteer or senior
    description: str


@cache
def _outcomes_file() -> dict:
    return json.loads((DATA / "outcomes.json").read_text(encoding="utf-8"))


@cache
def outcomes() -> tuple[Outcome, ...]:
    return tuple(Outcome(o["code"], o["label"], o["question"]) for o in _outcomes_file()["outcomes"])


@cache
def outcome_labels() -> dict[str, str]:
    return {o.code: o.label for o in outcomes()}


@cache
def scale() -> tuple[ScalePoint, ...]:
    return tuple(ScalePoint(p["value"], p["label"], p.get("hint", "")) for p in _outcomes_file()["scale"])


def scale_bounds() -> tuple[int, int]:
    values = [p.value for p in scale()]
    return min(values), max(values)


@cache
def stages() -> dict[str, str]:
    return {s["code"]: s["label"] for s in _outcomes_file()["stages"]}


@cache
def modules() -> tuple[Module, ...]:
    with (DATA / "training_modules.csv").open(encoding="utf-8", newline="") as f:
        return tuple(Module(r["code"], r["title"], r["for"], r["description"]) for r in csv.DictReader(f))


def module_titles() -> dict[str, str]:
    return {m.code: m.title for m in modules()}


def modules_for(kind: str) -> tuple[Module, ...]:
    """The programme for a kind of worker: everyone's modules, plus the volunteers' or the seniors' own."""
    return tuple(m for m in modules() if m.audience == "all" or m.audience == kind)


@cache
def categories() -> dict[str, str]:
    with (DATA / "offer_categories.csv").open(encoding="utf-8", newline="") as f:
        return {r["code"]: r["label"] for r in csv.DictReader(f)}
