"""Load a region pack (a folder of files) into the directory.

A pack is `region.json` plus eight CSV files with a header (see regions/lsc/README.md). Loading is two steps:

1. `read_pack(folder)` reads and checks every file: missing files or columns, empty or over-long values, bad
   codes, unknown kinds, duplicate codes and references to things the pack does not hold. It raises
   `PackError` listing each problem with its file and line, before anything is written.
2. `load_pack(pack)` writes it in one transaction, keyed on codes: new rows are created, rows that differ are
   updated, rows that match are left alone, so loading the same pack twice changes nothing.

Besides the rows in the files, the loader derives an organisation and a team for each practice, a PCN mental
health team for each PCN, and an EMDT and a community mental health team for each locality.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.validators import slug_re
from django.db import DatabaseError, models, transaction

from .models import (
    Area,
    EmdtService,
    Locality,
    Organisation,
    OrganisationKind,
    OutreachCoverage,
    Pcn,
    Practice,
    Region,
    Team,
    TeamKind,
)

NEED_DOMAINS = (
    "mental_health",
    "physical_health",
    "housing",
    "money",
    "work_learning",
    "relationships",
    "substance_use",
    "safety",
)

REGION_FILE = "region.json"
COLUMNS = {
    "areas.csv": ("code", "name"),
    "localities.csv": ("code", "name", "area_code"),
    "pcns.csv": ("code", "name", "locality_code"),
    "practices.csv": (
        "ods_code",
        "name",
        "postcode",
        "town",
        "phone",
        "pcn_code",
        "locality_code",
        "sub_icb_code",
    ),
    "organisations.csv": ("code", "name", "kind"),
    "outreach_coverage.csv": ("locality_code", "provider_code"),
    "emdt_services.csv": ("code", "name", "need_domain"),
    "teams.csv": ("code", "name", "kind", "organisation_code", "locality_code"),
}

# Teams of these kinds hang off a practice or a PCN, which teams.csv cannot name: the loader makes them.
DERIVED_ONLY_TEAM_KINDS = {TeamKind.PRACTICE, TeamKind.PCN_MENTAL_HEALTH}
LOCALITY_TEAM_KINDS = {TeamKind.EMDT, TeamKind.COMMUNITY_MENTAL_HEALTH}
PCN_TEAM_SUFFIX = " mental health practitioners"
EMDT_SUFFIX = " EMDT"
CMHT_SUFFIX = " community mental health team"
ODS_CODE = re.compile(r"[A-Za-z0-9]+")
# A synthetic pack's ODS-like codes (region, PCNs, practices, NHS organisations) start with ZZ and are 9 or 10
# characters long. Every ODS organisation code fits the NHS Data Dictionary's coding frames of at most 8
# characters, so no code in this range can be, or become, a real one; a real pack may not use the range.
SYNTHETIC_PREFIX = "ZZ"
SYNTHETIC_MIN_LENGTH = 9


def is_synthetic_code(code: str) -> bool:
    return len(code) >= SYNTHETIC_MIN_LENGTH and code.upper().startswith(SYNTHETIC_PREFIX)


MAX_PROBLEMS_SHOWN = 50


class PackError(Exception):
    """The pack was refused; nothing was changed. `problems` names the file and line of each."""

    def __init__(self, folder: Path, problems: list[str]):
        self.folder = folder
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines = [f"Region pack {folder} refused; nothing was changed.", *(f"  - {p}" for p in shown)]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


@dataclass
class RegionPack:
    folder: Path
    region: dict
    areas: list[Row]
    localities: list[Row]
    pcns: list[Row]
    practices: list[Row]
    organisations: list[Row]
    outreach_coverage: list[Row]
    emdt_services: list[Row]
    teams: list[Row]


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class LoadSummary:
    folder: Path
    region_code: str
    region_name: str
    tallies: dict[str, Tally] = field(default_factory=dict)
    practices_without_pcn: list[str] = field(default_factory=list)

    @property
    def total(self) -> Tally:
        return Tally(
            created=sum(t.created for t in self.tallies.values()),
            updated=sum(t.updated for t in self.tallies.values()),
            unchanged=sum(t.unchanged for t in self.tallies.values()),
        )

    def lines(self) -> list[str]:
        width = max(len(kind) for kind in self.tallies)
        lines = [f"Loaded region pack {self.region_code} {self.region_name} from {self.folder}"]
        lines += [f"  {kind.ljust(width)}  {tally}" for kind, tally in self.tallies.items()]
        lines.append(f"Total: {self.total}")
        if self.practices_without_pcn:
            count = len(self.practices_without_pcn)
            practices = ", ".join(self.practices_without_pcn)
            lines.append(f"{count} practice{'s' if count != 1 else ''} with no PCN: {practices}")
        return lines


def load_region(folder: Path | str) -> LoadSummary:
    """Check then load the pack in `folder`. Raises PackError (nothing changed) if it is refused."""
    pack = read_pack(folder)
    if pack.region.get("synthetic") is True and settings.ENVIRONMENT == "production":
        raise PackError(pack.folder, ["a synthetic (made-up) region is for the demo and tests: never in production"])
    return load_pack(pack)


# Reading and checking ---------------------------------------------------------------------------------------


class _Problems(list):
    def add(self, file: str, line: int | None, message: str) -> None:
        self.append(f"{file} line {line}: {message}" if line else f"{file}: {message}")


def read_pack(folder: Path | str) -> RegionPack:
    folder = Path(folder)
    problems = _Problems()
    if not folder.is_dir():
        raise PackError(folder, [f"{folder} is not a folder"])
    region = _read_region(folder, problems)
    tables = {name: _read_csv(folder, name, columns, problems) for name, columns in COLUMNS.items()}
    if problems:
        # Missing files or columns, or rows that are not rows: nothing to check the rest against.
        raise PackError(folder, problems)
    pack = RegionPack(
        folder=folder,
        region=region,
        areas=tables["areas.csv"],
        localities=tables["localities.csv"],
        pcns=tables["pcns.csv"],
        practices=tables["practices.csv"],
        organisations=tables["organisations.csv"],
        outreach_coverage=tables["outreach_coverage.csv"],
        emdt_services=tables["emdt_services.csv"],
        teams=tables["teams.csv"],
    )
    _check_pack(pack, problems)
    if problems:
        raise PackError(folder, problems)
    return pack


def _read_region(folder: Path, problems: _Problems) -> dict:
    path = folder / REGION_FILE
    if not path.is_file():
        problems.add(REGION_FILE, None, f"file is missing from {folder}")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        problems.add(REGION_FILE, None, "is not UTF-8 text")
        return {}
    except json.JSONDecodeError as error:
        problems.add(REGION_FILE, error.lineno, f"is not valid JSON ({error.msg})")
        return {}
    if not isinstance(data, dict):
        problems.add(REGION_FILE, None, "must hold one JSON object")
        return {}
    limits = {
        "code": Region._meta.get_field("code").max_length,
        "name": Region._meta.get_field("name").max_length,
        "short_name": Region._meta.get_field("short_name").max_length,
        "mental_health_trust": Organisation._meta.get_field("code").max_length,
    }
    for key, limit in limits.items():
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.add(REGION_FILE, None, f'"{key}" is missing or empty')
        elif len(value.strip()) > limit:
            problems.add(REGION_FILE, None, f'"{key}" is longer than {limit} characters')
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        problems.add(REGION_FILE, None, '"sources" must be a list of texts')
    if not isinstance(data.get("synthetic", False), bool):
        problems.add(REGION_FILE, None, '"synthetic" must be true or false')
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


def _read_csv(folder: Path, name: str, columns: tuple[str, ...], problems: _Problems) -> list[Row]:
    path = folder / name
    if not path.is_file():
        problems.add(name, None, f"file is missing from {folder}")
        return []
    rows: list[Row] = []
    line = 1
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader, [])]
            if not any(header):
                problems.add(name, 1, f"the header line is missing (it should be: {','.join(columns)})")
                return []
            missing = [c for c in columns if c not in header]
            if missing:
                plural = "s" if len(missing) > 1 else ""
                problems.add(
                    name,
                    1,
                    f"missing column{plural} {', '.join(missing)} (the header has: {', '.join(header)})",
                )
                return []
            repeated = sorted({h for h in header if header.count(h) > 1})
            if repeated:
                problems.add(name, 1, f"column {', '.join(repeated)} appears more than once")
                return []
            for values in reader:
                line = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    problems.add(name, line, f"has {len(values)} fields where the header has {len(header)}")
                    continue
                rows.append(Row(line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    except UnicodeDecodeError:
        problems.add(name, None, "is not UTF-8 text")
    except csv.Error as error:
        problems.add(name, line, f"is not valid CSV ({error})")
    return rows


def _check_text(
    problems: _Problems, file: str, row: Row, column: str, model_field: models.Field, required: bool = True
) -> None:
    value = row[column]
    if not value:
        if required:
            problems.add(file, row.line, f"{column} is empty")
        return
    if model_field.max_length and len(value) > model_field.max_length:
        problems.add(file, row.line, f"{column} is longer than {model_field.max_length} characters")
    if isinstance(model_field, models.SlugField) and not slug_re.match(value):
        problems.add(
            file,
            row.line,
            f"{column} {value!r} is not a valid code (use letters, digits, hyphens, underscores)",
        )


def _check_unique(problems: _Problems, file: str, rows: list[Row], column: str) -> dict[str, Row]:
    seen: dict[str, Row] = {}
    for row in rows:
        value = row[column]
        if not value:
            continue
        if value in seen:
            problems.add(file, row.line, f"duplicate {column} {value!r} (first on line {seen[value].line})")
        else:
            seen[value] = row
    return seen


def _check_ref(
    problems: _Problems, file: str, row: Row, column: str, known, target: str, required: bool = True
) -> None:
    value = row[column]
    if not value:
        if required:
            problems.add(file, row.line, f"{column} is empty")
    elif value not in known:
        problems.add(file, row.line, f"{column} {value!r} is not in {target}")


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def _check_pack(pack: RegionPack, problems: _Problems) -> None:
    for row in pack.areas:
        _check_text(problems, "areas.csv", row, "code", _field(Area, "code"))
        _check_text(problems, "areas.csv", row, "name", _field(Area, "name"))
    areas = _check_unique(problems, "areas.csv", pack.areas, "code")

    team_name_limit = _field(Team, "name").max_length
    for row in pack.localities:
        _check_text(problems, "localities.csv", row, "code", _field(Locality, "code"))
        _check_text(problems, "localities.csv", row, "name", _field(Locality, "name"))
        _check_ref(problems, "localities.csv", row, "area_code", areas, "areas.csv")
        if len(row["name"] + CMHT_SUFFIX) > team_name_limit:
            problems.add("localities.csv", row.line, "name is too long to name the locality's teams after it")
    localities = _check_unique(problems, "localities.csv", pack.localities, "code")

    for row in pack.organisations:
        _check_text(problems, "organisations.csv", row, "code", _field(Organisation, "code"))
        _check_text(problems, "organisations.csv", row, "name", _field(Organisation, "name"))
        if row["kind"] not in OrganisationKind.values:
            problems.add(
                "organisations.csv",
                row.line,
                f"kind {row['kind']!r} is not one of {', '.join(OrganisationKind.values)}",
            )
    organisations = _check_unique(problems, "organisations.csv", pack.organisations, "code")

    trust = pack.region.get("mental_health_trust")
    if trust not in organisations:
        problems.add(REGION_FILE, None, f"mental_health_trust {trust!r} is not in organisations.csv")

    for row in pack.pcns:
        _check_text(problems, "pcns.csv", row, "code", _field(Pcn, "code"))
        _check_text(problems, "pcns.csv", row, "name", _field(Pcn, "name"))
        if row["code"] and not ODS_CODE.fullmatch(row["code"]):
            problems.add("pcns.csv", row.line, f"code {row['code']!r} must be letters and digits only")
        _check_ref(problems, "pcns.csv", row, "locality_code", localities, "localities.csv")
        if len(row["name"] + PCN_TEAM_SUFFIX) > team_name_limit:
            problems.add("pcns.csv", row.line, "name is too long to name the PCN's mental health team after it")
    pcns = _check_unique(problems, "pcns.csv", pack.pcns, "code")

    for row in pack.practices:
        _check_text(problems, "practices.csv", row, "ods_code", _field(Practice, "ods_code"))
        if row["ods_code"] and not ODS_CODE.fullmatch(row["ods_code"]):
            problems.add("practices.csv", row.line, f"ods_code {row['ods_code']!r} must be letters and digits only")
        for column in ("name", "postcode", "town", "phone", "sub_icb_code"):
            _check_text(problems, "practices.csv", row, column, _field(Practice, column), required=column == "name")
        _check_ref(problems, "practices.csv", row, "pcn_code", pcns, "pcns.csv", required=False)
        _check_ref(problems, "practices.csv", row, "locality_code", localities, "localities.csv")
        pcn = pcns.get(row["pcn_code"])
        if pcn and row["locality_code"] in localities and pcn["locality_code"] != row["locality_code"]:
            problems.add(
                "practices.csv",
                row.line,
                f"locality_code {row['locality_code']!r} differs from {pcn['locality_code']!r}, "
                f"the locality of its PCN {row['pcn_code']} (pcns.csv line {pcn.line})",
            )
    practices = _check_unique(problems, "practices.csv", pack.practices, "ods_code")
    for code, practice in practices.items():
        if code in organisations:
            problems.add(
                "organisations.csv",
                organisations[code].line,
                f"code {code!r} is a practice ODS code (practices.csv line {practice.line}); "
                "the loader makes each practice's organisation itself",
            )

    for row in pack.outreach_coverage:
        _check_ref(problems, "outreach_coverage.csv", row, "locality_code", localities, "localities.csv")
        _check_ref(problems, "outreach_coverage.csv", row, "provider_code", organisations, "organisations.csv")
    _check_unique(problems, "outreach_coverage.csv", pack.outreach_coverage, "locality_code")

    for row in pack.emdt_services:
        _check_text(problems, "emdt_services.csv", row, "code", _field(EmdtService, "code"))
        _check_text(problems, "emdt_services.csv", row, "name", _field(EmdtService, "name"))
        if row["need_domain"] and row["need_domain"] not in NEED_DOMAINS:
            problems.add(
                "emdt_services.csv",
                row.line,
                f"need_domain {row['need_domain']!r} is not one of {', '.join(NEED_DOMAINS)}",
            )
    _check_unique(problems, "emdt_services.csv", pack.emdt_services, "code")

    file_kinds = [kind for kind in TeamKind.values if kind not in DERIVED_ONLY_TEAM_KINDS]
    for row in pack.teams:
        _check_text(problems, "teams.csv", row, "code", _field(Team, "code"))
        _check_text(problems, "teams.csv", row, "name", _field(Team, "name"))
        if row["kind"] not in file_kinds:
            problems.add("teams.csv", row.line, f"kind {row['kind']!r} is not one of {', '.join(file_kinds)}")
        _check_ref(problems, "teams.csv", row, "organisation_code", organisations, "organisations.csv")
        required = row["kind"] in LOCALITY_TEAM_KINDS
        _check_ref(problems, "teams.csv", row, "locality_code", localities, "localities.csv", required=required)
    teams = _check_unique(problems, "teams.csv", pack.teams, "code")
    derived = dict(_derived_team_codes(pack))
    for code, row in teams.items():
        if code in derived:
            problems.add("teams.csv", row.line, f"code {code!r} is already the code of {derived[code]}")
    _check_code_range(pack, problems)


def _check_code_range(pack: RegionPack, problems: _Problems) -> None:
    """A synthetic pack keeps every ODS-like code in the reserved range, so none can be mistaken for (or collide
    with) a real organisation; a real pack keeps out of it."""
    synthetic = pack.region.get("synthetic") is True
    codes = [(REGION_FILE, None, "code", pack.region.get("code") or "")]
    codes += [("pcns.csv", r.line, "code", r["code"]) for r in pack.pcns]
    codes += [("practices.csv", r.line, "ods_code", r["ods_code"]) for r in pack.practices]
    codes += [("organisations.csv", r.line, "code", r["code"]) for r in pack.organisations if r["kind"] == "nhs"]
    for file, line, column, code in codes:
        if not code:
            continue
        if synthetic and not is_synthetic_code(code):
            problems.add(
                file,
                line,
                f"{column} {code!r} is not in the synthetic range: a synthetic pack's codes start with "
                f"{SYNTHETIC_PREFIX} and are {SYNTHETIC_MIN_LENGTH} or 10 characters, longer than any ODS code",
            )
        elif not synthetic and is_synthetic_code(code):
            problems.add(
                file,
                line,
                f'{column} {code!r} is in the synthetic range: mark the pack "synthetic": true in region.json',
            )
    if synthetic:
        for row in pack.practices:
            if row["sub_icb_code"]:
                problems.add("practices.csv", row.line, "sub_icb_code must be empty in a synthetic pack")


def _derived_team_codes(pack: RegionPack):
    """(team code, what it is) for each team the loader makes."""
    for row in pack.practices:
        yield practice_team_code(row["ods_code"]), f"the team of practice {row['ods_code']}"
    for row in pack.pcns:
        yield pcn_team_code(row["code"]), f"the mental health team of PCN {row['code']}"
    for row in pack.localities:
        yield emdt_team_code(row["code"]), f"the EMDT of locality {row['code']}"
        yield cmht_team_code(row["code"]), f"the community mental health team of locality {row['code']}"


def practice_team_code(ods_code: str) -> str:
    return f"practice-{ods_code.lower()}"


def pcn_team_code(pcn_code: str) -> str:
    return f"pcn-{pcn_code.lower()}-mental-health"


def emdt_team_code(locality_code: str) -> str:
    return f"emdt-{locality_code}"


def cmht_team_code(locality_code: str) -> str:
    return f"cmht-{locality_code}"


# Writing ----------------------------------------------------------------------------------------------------


def load_pack(pack: RegionPack) -> LoadSummary:
    """Write a checked pack in one transaction. Only rows that differ are written."""
    summary = LoadSummary(folder=pack.folder, region_code=pack.region["code"], region_name=pack.region["short_name"])
    held_elsewhere = _held_by_another_region(pack)
    if held_elsewhere:
        raise PackError(pack.folder, held_elsewhere)
    tally = summary.tallies.setdefault
    try:
        with transaction.atomic():
            region_ids = _upsert(
                Region,
                "code",
                {
                    pack.region["code"]: {
                        "name": pack.region["name"],
                        "short_name": pack.region["short_name"],
                        "synthetic": pack.region.get("synthetic") is True,
                    }
                },
                tally("region", Tally()),
            )
            region_id = region_ids[pack.region["code"]]
            area_ids = _upsert(
                Area,
                "code",
                {r["code"]: {"name": r["name"], "region_id": region_id} for r in pack.areas},
                tally("areas", Tally()),
            )
            locality_ids = _upsert(
                Locality,
                "code",
                {r["code"]: {"name": r["name"], "area_id": area_ids[r["area_code"]]} for r in pack.localities},
                tally("localities", Tally()),
            )
            organisations = {r["code"]: {"name": r["name"], "kind": r["kind"]} for r in pack.organisations}
            organisations.update(
                {r["ods_code"]: {"name": r["name"], "kind": OrganisationKind.NHS} for r in pack.practices}
            )
            organisation_ids = _upsert(Organisation, "code", organisations, tally("organisations", Tally()))
            pcn_ids = _upsert(
                Pcn,
                "code",
                {r["code"]: {"name": r["name"], "locality_id": locality_ids[r["locality_code"]]} for r in pack.pcns},
                tally("PCNs", Tally()),
            )
            practice_ids = _upsert(
                Practice,
                "ods_code",
                {
                    r["ods_code"]: {
                        "name": r["name"],
                        "postcode": r["postcode"],
                        "town": r["town"],
                        "phone": r["phone"],
                        "pcn_id": pcn_ids[r["pcn_code"]] if r["pcn_code"] else None,
                        "locality_id": locality_ids[r["locality_code"]],
                        "sub_icb_code": r["sub_icb_code"],
                        "region_id": region_id,
                    }
                    for r in pack.practices
                },
                tally("practices", Tally()),
            )
            _upsert(
                OutreachCoverage,
                "locality_id",
                {
                    locality_ids[r["locality_code"]]: {"provider_id": organisation_ids[r["provider_code"]]}
                    for r in pack.outreach_coverage
                },
                tally("outreach coverage", Tally()),
            )
            _upsert(
                EmdtService,
                "code",
                {r["code"]: {"name": r["name"], "need_domain": r["need_domain"]} for r in pack.emdt_services},
                tally("EMDT services", Tally()),
            )
            teams = _team_rows(pack, organisation_ids, locality_ids, pcn_ids, practice_ids)
            for team in teams.values():
                team["region_id"] = region_id
            _upsert(Team, "code", teams, tally("teams", Tally()))
    except DatabaseError as error:
        raise PackError(pack.folder, [f"the database refused the pack ({error})"]) from error
    summary.practices_without_pcn = [
        f"{r['ods_code']} {r['name']} ({r['locality_code']})" for r in pack.practices if not r["pcn_code"]
    ]
    return summary


def _held_by_another_region(pack: RegionPack) -> list[str]:
    """Codes of this pack that another loaded region already holds: loading would move them between regions (and
    their people and staff with them), so the pack is refused instead. Organisations may serve several regions."""
    code = pack.region["code"]
    checks = (
        ("areas.csv", Area, "code", "region__code", pack.areas, "code"),
        ("localities.csv", Locality, "code", "area__region__code", pack.localities, "code"),
        ("pcns.csv", Pcn, "code", "locality__area__region__code", pack.pcns, "code"),
        ("practices.csv", Practice, "ods_code", "locality__area__region__code", pack.practices, "ods_code"),
        ("teams.csv", Team, "code", "region__code", pack.teams, "code"),
    )
    problems = _Problems()
    for file, model, key, region_path, rows, column in checks:
        lines = {r[column]: r.line for r in rows}
        held = model.objects.filter(**{f"{key}__in": list(lines)}).exclude(**{region_path: code})
        for value, other in held.values_list(key, region_path).order_by(key):
            if other is not None:
                problems.add(file, lines[value], f"{column} {value!r} already belongs to region {other}")
    return problems


def _team_rows(pack, organisation_ids, locality_ids, pcn_ids, practice_ids) -> dict[str, dict]:
    trust_id = organisation_ids[pack.region["mental_health_trust"]]
    no_links = {"practice_id": None, "pcn_id": None, "locality_id": None}
    teams: dict[str, dict] = {}
    for r in pack.teams:
        teams[r["code"]] = {
            **no_links,
            "name": r["name"],
            "kind": r["kind"],
            "organisation_id": organisation_ids[r["organisation_code"]],
            "locality_id": locality_ids[r["locality_code"]] if r["locality_code"] else None,
        }
    for r in pack.practices:
        teams[practice_team_code(r["ods_code"])] = {
            **no_links,
            "name": r["name"],
            "kind": TeamKind.PRACTICE,
            "organisation_id": organisation_ids[r["ods_code"]],
            "practice_id": practice_ids[r["ods_code"]],
            "locality_id": locality_ids[r["locality_code"]],
        }
    for r in pack.pcns:
        teams[pcn_team_code(r["code"])] = {
            **no_links,
            "name": r["name"] + PCN_TEAM_SUFFIX,
            "kind": TeamKind.PCN_MENTAL_HEALTH,
            "organisation_id": trust_id,
            "pcn_id": pcn_ids[r["code"]],
            "locality_id": locality_ids[r["locality_code"]],
        }
    for r in pack.localities:
        teams[emdt_team_code(r["code"])] = {
            **no_links,
            "name": r["name"] + EMDT_SUFFIX,
            "kind": TeamKind.EMDT,
            "organisation_id": trust_id,
            "locality_id": locality_ids[r["code"]],
        }
        teams[cmht_team_code(r["code"])] = {
            **no_links,
            "name": r["name"] + CMHT_SUFFIX,
            "kind": TeamKind.COMMUNITY_MENTAL_HEALTH,
            "organisation_id": trust_id,
            "locality_id": locality_ids[r["code"]],
        }
    return teams


def _upsert(model: type[models.Model], key: str, wanted: dict, tally: Tally) -> dict:
    """Create or update `model` rows keyed on `key`, writing only rows that differ. Returns key -> pk.

    One select finds the existing rows; new ones go in with bulk_create, changed ones with bulk_update.
    """
    existing = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": list(wanted)})}
    to_create, to_update, changed_fields = [], [], set()
    for value, fields in wanted.items():
        obj = existing.get(value)
        if obj is None:
            to_create.append(model(**{key: value}, **fields))
            continue
        changed = [name for name, new in fields.items() if getattr(obj, name) != new]
        if changed:
            for name in changed:
                setattr(obj, name, fields[name])
            to_update.append(obj)
            changed_fields.update(changed)
        else:
            tally.unchanged += 1
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)
        tally.created += len(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=500)
        tally.updated += len(to_update)
    ids = {value: obj.pk for value, obj in existing.items()}
    if to_create:
        created = [getattr(obj, key) for obj in to_create]
        ids.update(model.objects.filter(**{f"{key}__in": created}).values_list(key, "pk"))
    return ids
