"""Deprivation: which IMD quintile a person lives in, for the reports' inequalities splits.

A person is placed by their postcode: `PostcodeLsoa` says which 2011 LSOA it lies in, `Lsoa` that LSOA's Index of
Multiple Deprivation 2019 decile (quintile 1 = deciles 1 and 2, the most deprived fifth of England's
neighbourhoods). A person with no postcode, or one the lookup does not hold, is "Not known".

Both come from the region pack (`manage.py load_region` calls `load_deprivation` after the directory's own files):

- `lsoas.csv` — `code,name,lad_code,lad_name,imd_decile`, every LSOA of the region (scripts/build_lsc_deprivation.py
  cuts it from the IoD2019 file);
- `postcode_lsoas.csv` — `postcode,lsoa_code`, optional: the ONS postcode directory cut to the region. The LSC pack
  has none yet (no copy was available), so on a real system the quintile stays "Not known" until one is added;
  the demo gives its synthetic postcodes LSOAs inside their practice's districts (`locality_lads.csv`,
  demo/history.py).

Loading is keyed on codes, never deletes, and refuses a file with a bad row before writing anything.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from django.db import transaction

from joinedup.core.validators import normalise_postcode

from .models import Lsoa, PostcodeLsoa

LSOA_FILE = "lsoas.csv"
POSTCODE_FILE = "postcode_lsoas.csv"
LOCALITY_FILE = "locality_lads.csv"
LSOA_CODE = re.compile(r"[EW]0[0-9]{7}")
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}")
QUINTILES = {
    1: "1 (most deprived)",
    2: "2",
    3: "3",
    4: "4",
    5: "5 (least deprived)",
}
NOT_KNOWN = "Not known"


class DeprivationFileError(ValueError):
    pass


def quintile_label(decile: int | None) -> str:
    return QUINTILES[(decile + 1) // 2] if decile else NOT_KNOWN


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or ())]
        if missing:
            raise DeprivationFileError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return [{c: (row[c] or "").strip() for c in columns} for row in reader]


def read_lsoas(path: Path) -> list[dict]:
    rows, problems = _rows(path, ("code", "name", "lad_code", "lad_name", "imd_decile")), []
    for line, row in enumerate(rows, start=2):
        if not LSOA_CODE.fullmatch(row["code"]):
            problems.append(f"{path.name} line {line}: {row['code']!r} is not an LSOA code")
        if not row["imd_decile"].isdigit() or not 1 <= int(row["imd_decile"]) <= 10:
            problems.append(f"{path.name} line {line}: the IMD decile must be 1 to 10")
        if not row["name"] or not row["lad_code"]:
            problems.append(f"{path.name} line {line}: name and lad_code are needed")
    if problems:
        raise DeprivationFileError("; ".join(problems[:20]))
    return rows


def load_deprivation(folder: Path | str) -> list[str]:
    """Load the pack's LSOAs and postcode lookup, if it has them; one line per file saying what changed."""
    folder = Path(folder)
    lines = []
    if not (folder / LSOA_FILE).exists():
        return lines
    lsoas = read_lsoas(folder / LSOA_FILE)
    postcodes = []
    if (folder / POSTCODE_FILE).exists():
        known = {row["code"] for row in lsoas} | set(Lsoa.objects.values_list("code", flat=True))
        for line, row in enumerate(_rows(folder / POSTCODE_FILE, ("postcode", "lsoa_code")), start=2):
            postcode = normalise_postcode(row["postcode"])
            if not POSTCODE.fullmatch(postcode) or row["lsoa_code"] not in known:
                raise DeprivationFileError(f"{POSTCODE_FILE} line {line}: a bad postcode or an unknown LSOA")
            postcodes.append((postcode, row["lsoa_code"]))
    existing = {lsoa.code: lsoa for lsoa in Lsoa.objects.all()}
    new, changed = [], []
    for row in lsoas:
        values = {**row, "imd_decile": int(row["imd_decile"])}
        lsoa = existing.get(row["code"])
        if lsoa is None:
            new.append(Lsoa(**values))
        elif any(getattr(lsoa, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(lsoa, k, v)
            changed.append(lsoa)
    unchanged = len(lsoas) - len(new) - len(changed)
    lines.append(f"  LSOAs (IMD 2019) {len(new)} created, {len(changed)} updated, {unchanged} unchanged")
    if not (new or changed or postcodes):
        return lines  # loaded again unchanged: one query
    with transaction.atomic():
        Lsoa.objects.bulk_create(new, batch_size=2000)
        Lsoa.objects.bulk_update(changed, ["name", "lad_code", "lad_name", "imd_decile"], batch_size=2000)
        if postcodes:
            ids = dict(Lsoa.objects.values_list("code", "id"))
            before = PostcodeLsoa.objects.count()
            PostcodeLsoa.objects.bulk_create(
                [PostcodeLsoa(postcode=p, lsoa_id=ids[c]) for p, c in postcodes],
                batch_size=5000,
                update_conflicts=True,
                unique_fields=["postcode"],
                update_fields=["lsoa"],
            )
            added = PostcodeLsoa.objects.count() - before
            lines.append(f"  postcodes placed in an LSOA: {added} new, {len(postcodes)} in the file")
    return lines


def locality_lads(folder: Path | str) -> dict[str, list[str]]:
    """Which local authority districts each EMDT locality lies in (the pack's hand-kept `locality_lads.csv`)."""
    path = Path(folder) / LOCALITY_FILE
    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    for row in _rows(path, ("locality_code", "lad_code")):
        out.setdefault(row["locality_code"], []).append(row["lad_code"])
    return out
