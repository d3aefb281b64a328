#!/usr/bin/env python3
"""Build the Lancashire and South Cumbria (LSC) region pack from the shared public data files.

Reads the raw source files (not committed) and writes the project's own pack files into
joinedup/directory/regions/lsc/, which `manage.py load_region` loads:

    .venv/bin/python scripts/build_lsc_region_pack.py [--source ../shared/data/region-lsc]

Sources (see joinedup/directory/regions/lsc/README.md):
- epraccur_QE1_lancashire-south-cumbria.csv: NHS ODS epraccur cut to ICB QE1, no header.
  Only active GP practices are kept (status A, prescribing setting 4).
- gp-reg-pat-prac-map_2022-01_QE1.csv: NHS Digital practice -> PCN map, January 2022.

PCN -> locality assignments are read from regions/lsc/pcn_localities.csv, a hand-written file a
person can correct; run this script again afterwards. The script needs only the standard library.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "joinedup" / "directory" / "regions" / "lsc"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "region-lsc"
EPRACCUR = "epraccur_QE1_lancashire-south-cumbria.csv"
PCN_MAP = "gp-reg-pat-prac-map_2022-01_QE1.csv"

# epraccur columns (0-based), per the ODS epraccur specification.
E_CODE, E_NAME, E_ICB = 0, 1, 3
E_ADDRESS = slice(4, 9)
E_POSTCODE, E_STATUS, E_SUB_ICB, E_PHONE, E_SETTING = 9, 12, 14, 17, 25

REGION = {
    "code": "QE1",
    "name": "NHS Lancashire and South Cumbria Integrated Care Board",
    "short_name": "Lancashire and South Cumbria",
    "mental_health_trust": "RW5",
    "sources": [
        "GP practices: NHS England Organisation Data Service (ODS) epraccur, extract of about December 2023, "
        "rows for ICB QE1 with status A (active) and prescribing setting 4 (GP practice). "
        "Open Government Licence v3.0.",
        "PCN membership: NHS Digital 'Patients Registered at a GP Practice' practice to PCN mapping, "
        "January 2022, rows for STP QE1. Open Government Licence v3.0.",
        "Areas, EMDT localities, partners, outreach providers and EMDT services: the Joined Up product "
        "description (Lancashire and South Cumbria community mental health transformation).",
        "PCN to locality assignment: joinedup/directory/regions/lsc/pcn_localities.csv, made by hand from "
        "the sub-ICB location, the PCN name and its practices' towns.",
    ],
}

AREAS = [
    ("central-west-lancashire", "Central and West Lancashire"),
    ("north-lancashire-south-cumbria-fylde-coast", "North Lancashire, South Cumbria and Fylde Coast"),
    ("east-lancashire", "East Lancashire"),
]

LOCALITIES = [
    ("west-lancashire", "West Lancashire", "central-west-lancashire"),
    ("chorley-south-ribble", "Chorley and South Ribble", "central-west-lancashire"),
    ("greater-preston", "Greater Preston", "central-west-lancashire"),
    ("preston-north-east", "Preston North and East", "central-west-lancashire"),
    ("lancaster-morecambe", "Lancaster and Morecambe", "north-lancashire-south-cumbria-fylde-coast"),
    ("furness", "Furness", "north-lancashire-south-cumbria-fylde-coast"),
    ("westmorland-kendal", "Westmorland and Kendal", "north-lancashire-south-cumbria-fylde-coast"),
    ("blackpool", "Blackpool", "north-lancashire-south-cumbria-fylde-coast"),
    ("wyre", "Wyre", "north-lancashire-south-cumbria-fylde-coast"),
    ("fylde", "Fylde", "north-lancashire-south-cumbria-fylde-coast"),
    ("blackburn-with-darwen", "Blackburn with Darwen", "east-lancashire"),
    ("burnley", "Burnley", "east-lancashire"),
    ("pendle", "Pendle", "east-lancashire"),
    ("hyndburn-central-rossendale", "Hyndburn Central and Rossendale", "east-lancashire"),
    ("hyndburn-rural-ribble-valley", "Hyndburn Rural and Ribble Valley", "east-lancashire"),
]

# Which EMDT localities each sub-ICB location (former CCG) holds.
SUB_ICB_LOCALITIES = {
    "00Q": ["blackburn-with-darwen"],
    "00R": ["blackpool"],
    "00X": ["chorley-south-ribble"],
    "02G": ["west-lancashire"],
    "01E": ["greater-preston", "preston-north-east"],
    "01A": ["burnley", "pendle", "hyndburn-central-rossendale", "hyndburn-rural-ribble-valley"],
    "01K": ["lancaster-morecambe", "furness", "westmorland-kendal"],
    "02M": ["fylde", "wyre"],
}

# For a practice missing from the PCN map in a sub-ICB with several localities: place names to look
# for in its address (see fallback_locality).
PLACE_LOCALITIES = {
    "01E": {
        "LONGRIDGE": "preston-north-east",
        "RIBBLETON": "preston-north-east",
        "DEEPDALE": "preston-north-east",
        "GRIMSARGH": "preston-north-east",
        "GOOSNARGH": "preston-north-east",
        "FULWOOD": "preston-north-east",
        "PENWORTHAM": "greater-preston",
        "LONGTON": "greater-preston",
        "LOSTOCK HALL": "greater-preston",
        "WALTON-LE-DALE": "greater-preston",
        "ASHTON": "greater-preston",
        "PRESTON": "greater-preston",
    },
    "01A": {
        "BURNLEY": "burnley",
        "PADIHAM": "burnley",
        "NELSON": "pendle",
        "BRIERFIELD": "pendle",
        "COLNE": "pendle",
        "BARNOLDSWICK": "pendle",
        "EARBY": "pendle",
        "BARROWFORD": "pendle",
        "TRAWDEN": "pendle",
        "ACCRINGTON": "hyndburn-central-rossendale",
        "ROSSENDALE": "hyndburn-central-rossendale",
        "RAWTENSTALL": "hyndburn-central-rossendale",
        "HASLINGDEN": "hyndburn-central-rossendale",
        "BACUP": "hyndburn-central-rossendale",
        "WATERFOOT": "hyndburn-central-rossendale",
        "WHITWORTH": "hyndburn-central-rossendale",
        "CLITHEROE": "hyndburn-rural-ribble-valley",
        "WHALLEY": "hyndburn-rural-ribble-valley",
        "SLAIDBURN": "hyndburn-rural-ribble-valley",
        "GREAT HARWOOD": "hyndburn-rural-ribble-valley",
        "GT HARWOOD": "hyndburn-rural-ribble-valley",
        "RISHTON": "hyndburn-rural-ribble-valley",
        "CLAYTON LE MOORS": "hyndburn-rural-ribble-valley",
        "OSWALDTWISTLE": "hyndburn-rural-ribble-valley",
        "OSWALDWISTLE": "hyndburn-rural-ribble-valley",
    },
    "01K": {
        "BARROW": "furness",
        "MILLOM": "furness",
        "ULVERSTON": "furness",
        "DALTON-IN-FURNESS": "furness",
        "KIRKBY-IN-FURNESS": "furness",
        "WALNEY": "furness",
        "LANCASTER": "lancaster-morecambe",
        "MORECAMBE": "lancaster-morecambe",
        "HEYSHAM": "lancaster-morecambe",
        "CARNFORTH": "lancaster-morecambe",
        "KENDAL": "westmorland-kendal",
        "WINDERMERE": "westmorland-kendal",
        "AMBLESIDE": "westmorland-kendal",
        "GRANGE OVER SANDS": "westmorland-kendal",
        "CARTMEL": "westmorland-kendal",
        "CONISTON": "westmorland-kendal",
        "SEDBERGH": "westmorland-kendal",
        "MILNTHORPE": "westmorland-kendal",
        "KIRKBY LONSDALE": "westmorland-kendal",
        "BENTHAM": "westmorland-kendal",
        "HAVERTHWAITE": "westmorland-kendal",
    },
    "02M": {
        "LYTHAM": "fylde",
        "ST ANNES": "fylde",
        "ST.ANNES": "fylde",
        "ANSDELL": "fylde",
        "KIRKHAM": "fylde",
        "WREA GREEN": "fylde",
        "FLEETWOOD": "wyre",
        "THORNTON": "wyre",
        "CLEVELEYS": "wyre",
        "POULTON": "wyre",
        "GARSTANG": "wyre",
        "PREESALL": "wyre",
        "GREAT ECCLESTON": "wyre",
        "KNOTT END": "wyre",
    },
}

ORGANISATIONS = [
    ("QE1", "NHS Lancashire and South Cumbria Integrated Care Board", "nhs"),
    ("RW5", "Lancashire and South Cumbria NHS Foundation Trust", "nhs"),
    ("VCFSE-CALICO", "The Calico Group", "vcfse"),
    ("VCFSE-ACORN", "Acorn Recovery Projects", "vcfse"),
    ("VCFSE-RED-ROSE", "Red Rose Recovery", "vcfse"),
    ("VCFSE-INCLUSIVE", "An Inclusive Future CIC", "vcfse"),
    ("VCFSE-LANCS-MIND", "Lancashire Mind", "vcfse"),
    ("VCFSE-SPRING-NORTH", "Spring North", "vcfse"),
    ("HW-LANCASHIRE", "Healthwatch Lancashire", "healthwatch"),
    ("HW-BLACKPOOL", "Healthwatch Blackpool", "healthwatch"),
    ("HW-BLACKBURN-DARWEN", "Healthwatch Blackburn with Darwen", "healthwatch"),
    ("HW-WESTMORLAND", "Healthwatch Westmorland and Furness", "healthwatch"),
    ("LA-LANCASHIRE", "Lancashire County Council", "local_authority"),
    ("LA-BLACKPOOL", "Blackpool Council", "local_authority"),
    ("LA-BLACKBURN-DARWEN", "Blackburn with Darwen Council", "local_authority"),
    ("LA-WESTMORLAND", "Westmorland and Furness Council", "local_authority"),
]

SOUTH_CUMBRIA = {"furness", "westmorland-kendal"}

EMDT_SERVICES = [
    ("nhs-talking-therapies", "NHS Talking Therapies", "mental_health"),
    ("older-peoples-mental-health", "Older people's mental health", "mental_health"),
    ("eating-disorder-services", "Eating disorder services", "mental_health"),
    ("employment-support", "Employment support", "work_learning"),
    ("debt-advice", "Debt advice", "money"),
    ("substance-misuse-services", "Substance misuse services", "substance_use"),
    ("housing-support", "Housing support", "housing"),
    ("physical-health-rehabilitation", "Physical health care and rehabilitation", "physical_health"),
]

# Teams the loader cannot derive from places. Region-wide teams have no locality.
TEAMS = [
    ("peer-support-calico", "The Calico Group peer support", "peer_support", "VCFSE-CALICO", ""),
    ("peer-support-acorn", "Acorn Recovery Projects peer support", "peer_support", "VCFSE-ACORN", ""),
    ("peer-support-red-rose", "Red Rose Recovery peer support", "peer_support", "VCFSE-RED-ROSE", ""),
    (
        "peer-support-inclusive-future",
        "An Inclusive Future peer support",
        "peer_support",
        "VCFSE-INCLUSIVE",
        "",
    ),
    ("peer-support-lancashire-mind", "Lancashire Mind peer support", "peer_support", "VCFSE-LANCS-MIND", ""),
    ("peer-support-spring-north", "Spring North peer support", "peer_support", "VCFSE-SPRING-NORTH", ""),
    ("outreach-calico", "The Calico Group SMI health check outreach", "outreach", "VCFSE-CALICO", ""),
    ("outreach-spring-north", "Spring North SMI health check outreach", "outreach", "VCFSE-SPRING-NORTH", ""),
    ("icb-commissioning", "ICB commissioning and analysis", "commissioning", "QE1", ""),
    ("lscft-administration", "Administration and information governance", "administration", "RW5", ""),
    ("social-care-lancashire", "Lancashire County Council adult social care", "partner", "LA-LANCASHIRE", ""),
    ("social-care-blackpool", "Blackpool Council adult social care", "partner", "LA-BLACKPOOL", ""),
    (
        "social-care-blackburn-darwen",
        "Blackburn with Darwen Council adult social care",
        "partner",
        "LA-BLACKBURN-DARWEN",
        "",
    ),
    (
        "social-care-westmorland-furness",
        "Westmorland and Furness Council adult social care",
        "partner",
        "LA-WESTMORLAND",
        "",
    ),
    ("lancashire-mind-community", "Lancashire Mind community services", "partner", "VCFSE-LANCS-MIND", ""),
    ("acorn-recovery-services", "Acorn Recovery Projects recovery services", "partner", "VCFSE-ACORN", ""),
]

# One spelling per postal town.
TOWN_SPELLINGS = {
    "Barrow in Furness": "Barrow-in-Furness",
    "Thornton Cleveleys": "Thornton-Cleveleys",
    "Poulton": "Poulton-le-Fylde",
    "Lytham": "Lytham St Annes",
    "St Annes": "Lytham St Annes",
    "Ashton": "Preston",
    "Grange over Sands": "Grange-over-Sands",
}
COUNTIES = {"LANCASHIRE", "CUMBRIA", "MERSEYSIDE", "NORTH YORKSHIRE", "GREATER MANCHESTER"}
SMALL_WORDS = {"and", "of", "in", "on", "le", "la", "over", "with", "upon", "under", "by"}
ACRONYMS = {"GP", "PCN", "PWE", "ARG", "GAB", "SH", "LSA", "WREN", "NHS", "CIC"}


class BuildError(Exception):
    pass


def nice_case(text: str) -> str:
    """'POULTON-LE-FYLDE' -> 'Poulton-le-Fylde', 'DR DAWOUD'S SURGERY' -> 'Dr Dawoud's Surgery'."""
    first = True

    def word(match: re.Match) -> str:
        nonlocal first
        raw = match.group(0)
        is_first, first = first, False
        if raw.upper() in ACRONYMS:
            return raw.upper()
        lower = raw.lower()
        # 'Poulton-le-Fylde', 'Grange over Sands', but 'The Over-Wyre ...'
        starts_compound = match.string[match.end() : match.end() + 1] == "-" and (
            match.string[match.start() - 1 : match.start()] != "-"
        )
        if not is_first and lower in SMALL_WORDS and not starts_compound:
            return lower
        return lower[:1].upper() + lower[1:]

    return re.sub(r"[A-Za-z]+(?:'[A-Za-z]+)*", word, " ".join(text.split()))


def normalise_postcode(postcode: str) -> str:
    compact = re.sub(r"\s+", "", postcode).upper()
    if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}", compact):
        raise BuildError(f"not a UK postcode: {postcode!r}")
    return f"{compact[:-3]} {compact[-3:]}"


def address_town(lines: list[str]) -> str:
    """The postal town: the last address line that is not a county, after its last comma."""
    for line in reversed([part.strip() for part in lines if part.strip()]):
        pieces = [p.strip() for p in line.split(",") if p.strip()]
        while pieces and pieces[-1].upper() in COUNTIES:
            pieces.pop()
        if not pieces:
            continue
        town = nice_case(re.sub(r"^NR\.?\s*", "", pieces[-1].upper()))
        return TOWN_SPELLINGS.get(town, town)
    return ""


STREET_WORDS = re.compile(
    r"\b(ROAD|RD|STREET|LANE|LN|AVENUE|DRIVE|DR|WAY|CLOSE|CL|PLACE|PL|SQUARE|BROW|GATE|CRT|COURT)\b"
)


def fallback_locality(sub_icb: str, lines: list[str]) -> str | None:
    """The locality of a practice missing from the PCN map, from its sub-ICB location and address.

    Where the sub-ICB holds several localities, the most specific place name in the address decides:
    the address pieces are read from the first line on, skipping street names ('BURNLEY RD',
    'COLNE ROAD SURGERY').
    """
    localities = SUB_ICB_LOCALITIES.get(sub_icb)
    if not localities:
        return None
    if len(localities) == 1:
        return localities[0]
    places = PLACE_LOCALITIES[sub_icb]
    pieces = [piece.strip().upper() for line in lines for piece in line.split(",") if piece.strip()]
    for piece in pieces:
        if STREET_WORDS.search(piece) or piece[:1].isdigit():
            continue
        for place, locality in places.items():
            if re.search(rf"\b{re.escape(place)}\b", piece):
                return locality
    return None


def read_practices(source: Path) -> list[dict]:
    path = source / EPRACCUR
    practices = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if len(row) < E_SETTING + 1:
                raise BuildError(f"{path.name}: short row for {row[:1]}")
            if row[E_ICB] != "QE1" or row[E_STATUS] != "A" or row[E_SETTING] != "4":
                continue
            address = row[E_ADDRESS]
            practices.append(
                {
                    "ods_code": row[E_CODE].strip(),
                    "name": nice_case(row[E_NAME]),
                    "postcode": normalise_postcode(row[E_POSTCODE]),
                    "town": address_town(address),
                    "phone": " ".join(row[E_PHONE].split()),
                    "sub_icb_code": row[E_SUB_ICB].strip(),
                    "address": address,
                }
            )
    return practices


def read_pcn_map(source: Path) -> dict[str, tuple[str, str]]:
    """Practice code -> (PCN code, PCN name) from the 2022 map; unallocated rows are skipped."""
    mapping = {}
    with (source / PCN_MAP).open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            code, name = row["PCN_CODE"].strip(), row["PCN_NAME"].strip()
            if not code or code == "U" or name.lower() == "unallocated":
                continue
            mapping[row["PRACTICE_CODE"].strip()] = (code, nice_case(name))
    return mapping


def read_pcn_localities(path: Path) -> dict[str, dict]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    result = {}
    for line, row in enumerate(rows, start=2):
        code = row["pcn_code"].strip()
        if code in result:
            raise BuildError(f"{path.name} line {line}: PCN {code} is listed twice")
        result[code] = {
            "name": row["pcn_name"].strip(),
            "locality": row["locality_code"].strip(),
            "line": line,
        }
    return result


def build(source: Path, pack: Path) -> list[str]:
    """Write the pack files; return the report lines. Raises BuildError if the data does not fit."""
    report: list[str] = []
    locality_codes = {code for code, _name, _area in LOCALITIES}
    practices = read_practices(source)
    pcn_map = read_pcn_map(source)
    assignments = read_pcn_localities(pack / "pcn_localities.csv")

    for code, entry in assignments.items():
        if entry["locality"] not in locality_codes:
            where = f"pcn_localities.csv line {entry['line']}"
            raise BuildError(f"{where}: unknown locality {entry['locality']!r} for PCN {code}")

    pcns: dict[str, dict] = {}
    pcn_sub_icbs: dict[str, set[str]] = defaultdict(set)
    missing = []
    for practice in practices:
        mapped = pcn_map.get(practice["ods_code"])
        if mapped is None:
            locality = fallback_locality(practice["sub_icb_code"], practice["address"])
            if locality is None:
                address = " | ".join(a for a in practice["address"] if a)
                raise BuildError(
                    f"practice {practice['ods_code']} {practice['name']} is not in the PCN map and no "
                    f"locality could be found from sub-ICB {practice['sub_icb_code']} and its address "
                    f"{address}: add a place name to PLACE_LOCALITIES"
                )
            practice["pcn_code"], practice["locality_code"] = "", locality
            missing.append(practice)
            continue
        pcn_code, pcn_name = mapped
        entry = assignments.get(pcn_code)
        if entry is None:
            raise BuildError(
                f"PCN {pcn_code} {pcn_name} (practice {practice['ods_code']}) has no row in pcn_localities.csv"
            )
        pcns[pcn_code] = {"code": pcn_code, "name": pcn_name, "locality_code": entry["locality"]}
        pcn_sub_icbs[pcn_code].add(practice["sub_icb_code"])
        practice["pcn_code"], practice["locality_code"] = pcn_code, entry["locality"]

    for code in sorted(set(assignments) - set(pcns)):
        report.append(f"note: pcn_localities.csv lists {code} but no active practice belongs to it")
    for code, sub_icbs in sorted(pcn_sub_icbs.items()):
        allowed = {loc for s in sub_icbs for loc in SUB_ICB_LOCALITIES.get(s, [])}
        if pcns[code]["locality_code"] not in allowed:
            report.append(
                f"warning: PCN {code} {pcns[code]['name']} is placed in {pcns[code]['locality_code']}, "
                f"outside its sub-ICB locations {', '.join(sorted(sub_icbs))}"
            )
        if len(sub_icbs) > 1:
            report.append(
                f"PCN {code} {pcns[code]['name']} spans sub-ICBs {', '.join(sorted(sub_icbs))}: "
                f"all its practices go to {pcns[code]['locality_code']}"
            )

    with_pcn = {p["locality_code"] for p in practices if p["pcn_code"]}
    with_practice = {p["locality_code"] for p in practices}
    with_pcn_row = {p["locality_code"] for p in pcns.values()}
    for code in sorted(locality_codes):
        if code not in with_pcn_row or code not in with_practice or code not in with_pcn:
            raise BuildError(f"locality {code} ends up with no PCN or no practices")

    pack.mkdir(parents=True, exist_ok=True)
    (pack / "region.json").write_text(json.dumps(REGION, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_csv(pack / "areas.csv", ["code", "name"], AREAS)
    write_csv(pack / "localities.csv", ["code", "name", "area_code"], LOCALITIES)
    write_csv(
        pack / "pcns.csv",
        ["code", "name", "locality_code"],
        [(p["code"], p["name"], p["locality_code"]) for p in sorted(pcns.values(), key=lambda p: p["code"])],
    )
    practice_columns = [
        "ods_code",
        "name",
        "postcode",
        "town",
        "phone",
        "pcn_code",
        "locality_code",
        "sub_icb_code",
    ]
    write_csv(
        pack / "practices.csv",
        practice_columns,
        [[p[c] for c in practice_columns] for p in sorted(practices, key=lambda p: p["ods_code"])],
    )
    write_csv(pack / "organisations.csv", ["code", "name", "kind"], ORGANISATIONS)
    write_csv(
        pack / "outreach_coverage.csv",
        ["locality_code", "provider_code"],
        [
            (code, "VCFSE-SPRING-NORTH" if code in SOUTH_CUMBRIA else "VCFSE-CALICO")
            for code, _name, _area in LOCALITIES
        ],
    )
    write_csv(pack / "emdt_services.csv", ["code", "name", "need_domain"], EMDT_SERVICES)
    write_csv(pack / "teams.csv", ["code", "name", "kind", "organisation_code", "locality_code"], TEAMS)

    report.insert(
        0,
        f"Wrote {len(practices)} practices, {len(pcns)} PCNs, {len(LOCALITIES)} localities, "
        f"{len(ORGANISATIONS)} organisations and {len(TEAMS)} teams to {pack}",
    )
    for practice in missing:
        report.append(
            f"practice {practice['ods_code']} {practice['name']} ({practice['town']}, sub-ICB "
            f"{practice['sub_icb_code']}) is not in the 2022 PCN map: "
            f"no PCN, locality {practice['locality_code']}"
        )
    return report


def write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder with the raw LSC files")
    parser.add_argument("--pack", type=Path, default=PACK, help="region pack folder to write")
    args = parser.parse_args(argv)
    try:
        report = build(args.source, args.pack)
    except (BuildError, OSError, KeyError) as error:
        print(f"Region pack not built: {error}", file=sys.stderr)
        return 1
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
