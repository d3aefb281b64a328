# ruff: noqa: S608 - the SQL below is built only from this module's constant column names; values go as parameters.
"""SMI register extracts in (PRACTICE_FILES.md): read generously, report every bad row, never hold others up.

The file is streamed: each row is known unchanged from its hash or checked, and staged in a temporary table of
the import's own (one COPY on PostgreSQL); memory stays flat. Everything that can refuse the file happens while
reading and linking, before anything changes. The register is then brought in line with set-based statements: on
PostgreSQL APPLY_LINES changed lines at a time, each batch in a short transaction of its own, so practices
uploading and staff working wait for one batch at most (a failure part-way leaves the batches applied, and the
same file imported again finishes the job: hazard H55); on SQLite all in one transaction.
"""

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from joinedup.core.dates import DateParseError, format_date, parse_date_text
from joinedup.core.validators import (
    format_nhs_number,
    normalise_nhs_number,
    normalise_postcode,
    validate_nhs_number,
    validate_no_markup,
    validate_phone,
    validate_uk_postcode,
)
from joinedup.people.matching import normalise_name

from .rules import full_check_date
from .valuesets import remission_codes, smi_register_codes

BATCH_ROWS = 5000
# The longest line (and so the longest cell) read: csv's own field limit. A register line is a few hundred characters.
MAX_LINE = 131072
# The tables an import fills: analysed afterwards so the planner knows their new size (the worklist query ran over
# 130 s on a server without autovacuum before its first ANALYZE, 80 ms after).
FILLED_TABLES = ("people_person", "healthchecks_registerentry", "core_timelineentry")
# The person's details a practice's extract carries, and their names on the timeline. The extract is the latest word
# on them: a known person's changed details are applied (an empty cell changes nothing).
DETAILS = (
    ("given_name", "first name"),
    ("family_name", "last name"),
    ("sex", "sex"),
    ("postcode", "postcode"),
    ("phone", "phone number"),
    ("email", "email address"),
)

COLUMNS = {
    "practicecode": "practice_code",
    "odscode": "practice_code",
    "nhsnumber": "nhs_number",
    "nhsno": "nhs_number",
    "familyname": "family_name",
    "surname": "family_name",
    "lastname": "family_name",
    "givenname": "given_name",
    "forename": "given_name",
    "firstname": "given_name",
    "dateofbirth": "date_of_birth",
    "dob": "date_of_birth",
    "sex": "sex",
    "postcode": "postcode",
    "phone": "phone",
    "email": "email",
    "smicode": "smi_code",
    "smidate": "smi_date",
    "remissioncode": "remission_code",
    "remissiondate": "remission_date",
    "lastfullcheckdate": "last_full_check_date",
    "bmidate": "bmi_date",
    "bpdate": "bp_date",
    "glucosedate": "glucose_date",
    "lipidsdate": "lipids_date",
    "smokingdate": "smoking_date",
    "alcoholdate": "alcohol_date",
}
REQUIRED = ("nhs_number", "family_name", "given_name", "date_of_birth", "smi_code")
ELEMENT_DATES = ("bmi_date", "bp_date", "glucose_date", "lipids_date", "smoking_date", "alcohol_date")
# What an entry takes from its row: any difference is a change to the entry.
COMPARED = ("smi_code", "smi_date", "remission_code", "remission_date", "file_full_check", *ELEMENT_DATES)
LABELS = {
    "nhs_number": "NHS number",
    "family_name": "family name",
    "given_name": "given name",
    "date_of_birth": "date of birth",
    "smi_code": "SMI code",
    "smi_date": "SMI diagnosis date",
    "remission_date": "remission date",
    "last_full_check_date": "last full check date",
    "bmi_date": "BMI date",
    "bp_date": "blood pressure date",
    "glucose_date": "glucose date",
    "lipids_date": "lipids date",
    "smoking_date": "smoking date",
    "alcohol_date": "alcohol date",
    "practice_code": "practice code",
}
SEX = {
    "male": "1",
    "m": "1",
    "1": "1",
    "female": "2",
    "f": "2",
    "2": "2",
    "unknown": "0",
    "u": "0",
    "0": "0",
    "9": "9",
}

STAGING_COLUMNS = (
    "line",
    "held",
    "nhs_number",
    "practice_id",
    "provider_id",
    "pcn_id",
    "family_name",
    "given_name",
    "search_name",
    "date_of_birth",
    "sex",
    "postcode",
    "phone",
    "email",
    "smi_code",
    "smi_date",
    "remission_code",
    "remission_date",
    "file_full_check",
    *ELEMENT_DATES,
    "row_hash",
    "matched",
)
# Changed whenever what a row's checks or its staged values mean changes: every row is then checked afresh.
ROW_HASH_VERSION = b"1"
# Applied in transactions of this many lines each on PostgreSQL, so no other user waits long for a row or a
# number this import holds.
APPLY_LINES = 10_000
IMPORT_WORK_MEM_MB = 64
# Files larger than this are compared with every current entry's row hash; smaller ones are simply checked.
KNOWN_HASHES_FROM_BYTES = 1 << 20


class FileRefused(Exception):
    """A whole-file problem: nothing is imported."""


class NeedsConfirmation(Exception):
    """More than the allowed share of a practice's register would leave: nothing is imported yet."""

    def __init__(self, preview: dict):
        super().__init__("confirmation needed")
        self.preview = preview


def errors_kept() -> int:
    from django.conf import settings

    return int(getattr(settings, "HEALTH_CHECK_REGISTER_ERRORS_KEPT", 1000))


@dataclass
class ImportOutcome:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0
    rejected: int = 0
    # The first `errors_kept()` rejected rows, and the count of all of them by kind of reason.
    errors: list = field(default_factory=list)
    reasons: dict = field(default_factory=dict)
    refused: str = ""
    import_id: int | None = None
    # What the import would do, when it stopped to ask for confirmation (nothing was changed).
    preview: dict | None = None
    on_error: object = field(default=None, repr=False)
    keep: int = field(default_factory=errors_kept, repr=False)

    def reject(self, line: int, reason: str, kind: str) -> None:
        """One rejected row: counted, kept while under the cap, and passed on as it is found (memory stays flat)."""
        self.rejected += 1
        self.reasons[kind] = self.reasons.get(kind, 0) + 1
        if len(self.errors) < self.keep:
            self.errors.append({"line": line, "reason": reason})
        if self.on_error is not None:
            self.on_error(line, reason)

    def as_json(self) -> dict:
        data = {k: getattr(self, k) for k in ("rows", "added", "updated", "unchanged", "left", "rejected")}
        data["errors"] = self.errors
        if self.refused:
            data["refused"] = self.refused
        return data


def header_key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", (name or "").strip().lstrip("\ufeff").lower())


def not_text(line: int) -> str:
    return (
        f"The file is not a text (CSV) file: line {line:,} has a NUL character. "
        "Save it from the spreadsheet as CSV and try again"
    )


def _utf16(first: bytes) -> str | None:
    """UTF-16 (Excel's "Unicode text"): by its byte-order mark, or by the zero byte beside each character of a
    plain-letter header."""
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = first[: min(len(first), 200) // 2 * 2]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        if not odd.strip(b"\x00") and b"\x00" not in even:
            return "utf-16-le"
        if not even.strip(b"\x00") and b"\x00" not in odd:
            return "utf-16-be"
    return None


def detect_encoding(binary) -> str:
    """UTF-16 with a byte-order mark (or plainly UTF-16); UTF-8 (with or without a byte-order mark) when the whole
    file is valid UTF-8; else Windows-1252."""
    binary.seek(0)
    first = binary.read(65536)
    utf16 = _utf16(first)
    if utf16:
        if not first[2:].strip(b"\x00 \t\r\n"):
            raise FileRefused("The file is empty")
        binary.seek(0)
        return utf16
    if not first.strip():
        raise FileRefused("The file is empty")
    if b"\x00" in first:
        raise FileRefused(not_text(first.count(b"\n", 0, first.index(b"\x00")) + 1))
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = first
    try:
        while chunk:
            decoder.decode(chunk)
            chunk = binary.read(1 << 20)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    binary.seek(0)
    return encoding


@lru_cache(maxsize=100_000)
def _date(text: str) -> dt.date:
    return parse_date_text(text)


# The row checks below are cached on the raw text: the same names, postcodes and dates come up again and again.
NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


@lru_cache(maxsize=100_000)
def _text(raw: str, label: str, required: bool, limit: int) -> tuple[str, str, str]:
    """(value, problem, kind of problem): the value with spaces tidied, or the reason it cannot be taken."""
    value = " ".join(raw.split())
    if required and not value:
        return "", f"The {label} is empty", f"The {label} is empty"
    if len(value) > limit:
        return "", f"The {label} is longer than {limit} characters", "A value is too long"
    try:
        validate_no_markup(value)
    except ValidationError:
        return "", f"The {label} contains < or > characters: remove them", "A value contains < or >"
    return value, "", ""


@lru_cache(maxsize=100_000)
def _search_name(given: str, family: str) -> str:
    return normalise_name(f"{given} {family}")


@lru_cache(maxsize=100_000)
def _postcode(raw: str) -> str:
    postcode = normalise_postcode(raw)
    try:
        validate_uk_postcode(postcode)
    except ValidationError:
        postcode = ""
    return postcode


@lru_cache(maxsize=100_000)
def _phone(raw: str) -> str:
    phone = " ".join(raw.split())[:30]
    try:
        validate_phone(phone)
    except ValidationError:
        phone = ""
    return phone


def _practices():
    from joinedup.directory.models import OutreachCoverage, Practice

    providers = dict(OutreachCoverage.objects.values_list("locality_id", "provider_id"))
    return {
        p.ods_code.upper(): (p.pk, providers.get(p.locality_id), p.pcn_id)
        for p in Practice.objects.only("pk", "ods_code", "locality_id", "pcn_id")
    }


class RowProblem(Exception):
    """A row that cannot be used: the reason (for the practice manager) and its kind (the counts by reason)."""

    def __init__(self, reason: str, kind: str):
        super().__init__(reason)
        self.kind = kind


class _Reader:
    """Checks one row at a time, holding nothing of the rows it has read (repeats are found in the staging table)."""

    def __init__(self, *, names: list, practice_code: str | None, allowed_practices: set[int] | None, today: dt.date):
        self.practices = _practices()
        self.nhs_at = names.index("nhs_number")
        self.practice_at = names.index("practice_code") if "practice_code" in names else None
        self.given = practice_code.upper() if practice_code else None
        self.allowed = allowed_practices
        self.today = today
        self.smi = smi_register_codes()
        self.remission = remission_codes()
        # Everything a row's outcome depends on besides its cells: a change to any of them (what the file's columns
        # mean, the clusters, the region's practices and who covers them, the practice the file is for) makes every
        # row be checked again.
        rules = (names, sorted(self.smi), sorted(self.remission), sorted(self.practices.items()), self.given)
        self.salt = hashlib.blake2b(ROW_HASH_VERSION + repr(rules).encode(), digest_size=32).digest()

    def row_hash(self, record: list[str]) -> int:
        """A 64-bit hash of the row's cells (and the rules): an entry last brought in line with an identical row
        needs nothing from it."""
        text = "\x1f".join(record).encode("utf-8", "surrogatepass")
        return int.from_bytes(hashlib.blake2b(text, digest_size=8, key=self.salt).digest(), "big", signed=True)

    def known_row(self, line: int, record: list[str], row_hash: int) -> tuple | None:
        """The staging tuple of a row identical to one already applied (so valid then, and by the same rules now):
        only who (for repeated NHS numbers) and which practice (for who has left, and whether this user may import
        it). None sends it through the full checks."""
        if len(record) <= self.nhs_at:
            return None
        nhs = record[self.nhs_at].replace(" ", "").replace("-", "")
        code = record[self.practice_at] if self.practice_at is not None and len(record) > self.practice_at else ""
        try:
            practice_id = self.practice(code)[0]
        except RowProblem:
            return None
        return _matched_row(line, nhs, practice_id, row_hash) if len(nhs) == 10 and nhs.isdigit() else None

    def practice(self, value):
        code = (value or "").strip().upper() or self.given
        if not code:
            raise RowProblem(
                "Practice code is empty: add the practice's ODS code (for example P81001)", "The practice code is empty"
            )
        if self.given and code != self.given:
            raise RowProblem(
                f"Practice code {code} is not {self.given}, the practice this file is being imported for",
                "The practice code is not the practice being imported",
            )
        found = self.practices.get(code)
        if found is None:
            raise RowProblem(
                f"Practice code {code} is not a GP practice we know: check the ODS code", "The practice is not known"
            )
        if self.allowed is not None and found[0] not in self.allowed:
            raise RowProblem(
                f"Practice {code} is not one whose register you may import", "The practice is not one you may import"
            )
        return found

    def date(self, row, name, *, required=False):
        text = row.get(name)
        if text:
            text = text.strip()
        if not text:
            if required:
                raise RowProblem(f"The {LABELS[name]} is empty", f"The {LABELS[name]} is empty")
            return None
        if len(text) > 40:
            raise RowProblem(
                f"The {LABELS[name]} '{text[:40]}...' cannot be read: use a date like 3 March 2026",
                "A date cannot be read",
            )
        try:
            value = _date(text)
        except DateParseError as e:
            raise RowProblem(
                f"The {LABELS[name]} '{text[:40]}' cannot be read ({e}): use a date like 3 March 2026",
                "A date cannot be read",
            ) from None
        if value > self.today:
            raise RowProblem(f"The {LABELS[name]} {format_date(value)} is in the future", "A date is in the future")
        return value

    def text(self, row, name, *, required=False, limit=100):
        raw = row.get(name) or ""
        # Only short values are cached: a cell may be up to MAX_LINE characters.
        check = _text if len(raw) <= 4 * limit else _text.__wrapped__
        value, problem, kind = check(raw, LABELS.get(name, name.replace("_", " ")), required, limit)
        if problem:
            raise RowProblem(problem, kind)
        return value

    def nhs_number(self, row):
        raw = (row.get("nhs_number") or "").strip()
        if not raw:
            raise RowProblem("The NHS number is missing", "The NHS number is missing")
        # The usual case, ten plain digits outside the Scottish CHI range (which has its own rules), is checked
        # here; anything else goes through the shared validator.
        if len(raw) == 10 and raw.isascii() and raw.isdigit() and raw[0] > "3":
            check = 11 - sum(int(c) * w for c, w in zip(raw[:9], NHS_WEIGHTS, strict=True)) % 11
            if (0 if check == 11 else check) == int(raw[9]):
                return raw
        digits = normalise_nhs_number(raw)
        try:
            validate_nhs_number(digits)
        except ValidationError as e:
            raise RowProblem(f"NHS number '{raw[:20]}': {e.messages[0]}", "The NHS number is not valid") from None
        return digits

    def check(self, line: int, row: dict, row_hash: int) -> tuple:
        """The staging tuple for a valid row, or RowProblem. Duplicates are checked by the caller."""
        nhs = row["_nhs"]
        practice_id, provider_id, pcn_id = self.practice(row.get("practice_code"))
        family = self.text(row, "family_name", required=True)
        given = self.text(row, "given_name", required=True)
        born = self.date(row, "date_of_birth", required=True)
        code = (row.get("smi_code") or "").strip()
        if not code:
            raise RowProblem("The SMI code is empty", "The SMI code is empty")
        if code not in self.smi:
            raise RowProblem(
                f"SMI code {code[:20]} is not in the SMI register cluster (MH_COD): check the diagnosis code",
                "The SMI code is not in the register cluster",
            )
        smi_date = self.date(row, "smi_date")
        if smi_date and smi_date < born:
            raise RowProblem(
                f"The SMI diagnosis date {format_date(smi_date)} is before the date of birth {format_date(born)}",
                "The diagnosis date is before the date of birth",
            )
        remission = (row.get("remission_code") or "").strip()
        if remission and remission not in self.remission:
            raise RowProblem(
                f"Remission code {remission[:20]} is not in the remission cluster: check the code or leave it empty",
                "The remission code is not in the remission cluster",
            )
        remission_date = self.date(row, "remission_date")
        last_full = self.date(row, "last_full_check_date")
        elements = [self.date(row, name) for name in ELEMENT_DATES]
        from_elements = full_check_date(dict(zip(ELEMENT_DATES, elements, strict=True)))
        file_full = max((d for d in (last_full, from_elements) if d), default=None)
        sex = SEX.get((row.get("sex") or "").strip().lower())
        if sex == "0":
            sex = None
        postcode = _postcode((row.get("postcode") or "")[:40])
        phone = _phone((row.get("phone") or "")[:100])
        email = (row.get("email") or "").strip()[:254]
        if "@" not in email or "<" in email:
            email = ""
        return (
            line,
            False,
            nhs,
            practice_id,
            provider_id,
            pcn_id,
            family,
            given,
            _search_name(given, family),
            born,
            sex,
            postcode,
            phone,
            email,
            code,
            smi_date,
            remission,
            remission_date if remission else None,
            file_full,
            *elements,
            row_hash,
            False,
        )


def _staging_create(cursor):
    postgres = connection.vendor == "postgresql"
    cursor.execute("DROP TABLE IF EXISTS hc_staging")
    boolean = "boolean" if postgres else "integer"
    cursor.execute(
        f"""CREATE TEMPORARY TABLE hc_staging (
            line integer NOT NULL, held {boolean} NOT NULL, nhs_number varchar(10) NOT NULL,
            practice_id bigint, provider_id bigint, pcn_id bigint,
            family_name varchar(100), given_name varchar(100), search_name varchar(201), date_of_birth date,
            sex varchar(1), postcode varchar(8), phone varchar(30), email varchar(254),
            smi_code varchar(20), smi_date date, remission_code varchar(20), remission_date date,
            file_full_check date, bmi_date date, bp_date date, glucose_date date, lipids_date date,
            smoking_date date, alcohol_date date, row_hash bigint, matched {boolean} NOT NULL,
            person_id bigint, entry_id bigint, changed {boolean} NOT NULL DEFAULT {"false" if postgres else 0},
            new_person {boolean} NOT NULL DEFAULT {"false" if postgres else 0},
            details_changed {boolean} NOT NULL DEFAULT {"false" if postgres else 0},
            rehash {boolean} NOT NULL DEFAULT {"false" if postgres else 0},
            dob_mismatch {boolean} NOT NULL DEFAULT {"false" if postgres else 0}, repeat_of integer
        )"""
    )


@contextmanager
def _staging_writer(cursor):
    """`write(row)` for each staged row. On PostgreSQL one COPY for the whole file, so the server stores rows while
    the next ones are read and checked (the machine's other core); on SQLite, inserts BATCH_ROWS at a time."""
    columns = ", ".join(STAGING_COLUMNS)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY hc_staging ({columns}) FROM STDIN") as copy:
            yield copy.write_row
        return
    batch: list[tuple] = []
    insert = f"INSERT INTO hc_staging ({columns}) VALUES ({', '.join(['%s'] * len(STAGING_COLUMNS))})"

    def write(row):
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            cursor.executemany(insert, batch)
            batch.clear()

    yield write
    if batch:
        cursor.executemany(insert, batch)


def _held_row(line, nhs, practice_id):
    """A rejected row whose NHS number was readable: the person is still on the practice's list, so they must not
    be marked as having left."""
    return (line, True, nhs, practice_id, *([None] * (len(STAGING_COLUMNS) - 5)), False)


def _matched_row(line, nhs, practice_id, row_hash):
    """A row identical to the one its entry was last brought in line with: nothing of it is needed but who and where
    (for repeats and for who has left)."""
    return (line, False, nhs, practice_id, *([None] * (len(STAGING_COLUMNS) - 6)), row_hash, True)


def _known_hashes(*, size, practice_id, allowed) -> set[int]:
    """The row hashes of the current register entries this file could match. A small file is simply checked (reading
    a whole region's hashes would cost more than checking a few hundred rows), unless it is for one practice."""
    where, params = "left_on IS NULL AND row_hash IS NOT NULL", []
    if practice_id is not None:
        where += " AND practice_id = %s"
        params = [practice_id]
    elif allowed is not None and len(allowed) <= 20:
        if not allowed:
            return set()
        where += f" AND practice_id IN ({', '.join(['%s'] * len(allowed))})"
        params = sorted(allowed)
    elif size < KNOWN_HASHES_FROM_BYTES:
        return set()
    known: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_hash FROM healthchecks_registerentry WHERE {where}", params)
        while chunk := cursor.fetchmany(50_000):
            known.update(h for (h,) in chunk)
    return known


def _details_differ(person: str, staged: str) -> str:
    """SQL: the staged row carries details that differ from the person's record (an empty cell changes nothing)."""
    return " OR ".join(f"(COALESCE({staged}.{c}, '') <> '' AND {staged}.{c} <> {person}.{c})" for c, _label in DETAILS)


def _link_postgres(cursor, *, compared) -> None:
    """PostgreSQL: link the staged rows to people and entries and mark changed entries and details, in one pass that
    writes each staged row once (a new table). Rows known unchanged from their hash need no link (unless held back:
    then their person stays on every list). Reads only: the people still to be added are added while applying."""
    # A known NHS number with another date of birth is the wrong person or a typing error: never link it.
    cursor.execute(
        """UPDATE hc_staging s SET held = true, dob_mismatch = true FROM people_person p
        WHERE p.nhs_number = s.nhs_number AND NOT s.held AND NOT s.matched AND p.date_of_birth <> s.date_of_birth"""
    )
    differs = " OR ".join(f"e.{c} IS DISTINCT FROM s.{c}" for c in compared) + " OR e.left_on IS NOT NULL"
    staged = ", ".join(f"s.{c}" for c in STAGING_COLUMNS)
    cursor.execute(
        f"""CREATE TEMPORARY TABLE hc_linked AS
        SELECT {staged}, p.id AS person_id, e.id AS entry_id,
            (e.id IS NOT NULL AND NOT s.held AND NOT s.matched AND ({differs})) AS changed,
            (NOT s.held AND p.id IS NULL) AS new_person,
            (NOT s.held AND NOT s.matched AND p.id IS NOT NULL AND ({_details_differ("p", "s")})) AS details_changed,
            (e.id IS NOT NULL AND NOT s.held AND NOT s.matched AND e.row_hash IS DISTINCT FROM s.row_hash)
                AS rehash,
            s.dob_mismatch
        FROM hc_staging s LEFT JOIN people_person p ON p.nhs_number = s.nhs_number
        LEFT JOIN healthchecks_registerentry e ON e.practice_id = s.practice_id AND e.person_id = p.id
        WHERE NOT s.matched OR s.held
        UNION ALL
        SELECT {staged}, NULL, NULL, false, false, false, false, s.dob_mismatch
        FROM hc_staging s WHERE s.matched AND NOT s.held"""
    )
    cursor.execute("DROP TABLE hc_staging")
    cursor.execute("ALTER TABLE hc_linked RENAME TO hc_staging")
    cursor.execute("CREATE INDEX ON hc_staging (line)")
    cursor.execute("CREATE INDEX ON hc_staging (person_id)")
    cursor.execute("ANALYZE hc_staging")


def _link_sqlite(cursor, *, compared, now, true, false) -> None:
    link_people = (
        "UPDATE hc_staging SET person_id = p.id FROM people_person p WHERE p.nhs_number = hc_staging.nhs_number"
    )
    cursor.execute(link_people)
    # A known NHS number with another date of birth is the wrong person or a typing error: never link it.
    cursor.execute(
        f"""UPDATE hc_staging SET held = {true}, dob_mismatch = {true} WHERE held = {false} AND person_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM people_person p WHERE p.id = hc_staging.person_id
            AND p.date_of_birth <> hc_staging.date_of_birth)"""
    )
    cursor.execute(
        f"""UPDATE hc_staging SET details_changed = {true} FROM people_person p
        WHERE p.id = hc_staging.person_id AND hc_staging.held = {false} AND hc_staging.matched = {false}
            AND ({_details_differ("p", "hc_staging")})"""
    )
    cursor.execute(f"UPDATE hc_staging SET new_person = {true} WHERE held = {false} AND person_id IS NULL")
    if _insert_people(cursor, where=f"s.held = {false} AND s.person_id IS NULL", now=now):
        cursor.execute(link_people + " AND hc_staging.person_id IS NULL")
    cursor.execute("CREATE INDEX temp.hc_staging_person ON hc_staging (person_id)")
    cursor.execute(
        """UPDATE hc_staging SET entry_id = e.id FROM healthchecks_registerentry e
        WHERE e.practice_id = hc_staging.practice_id AND e.person_id = hc_staging.person_id"""
    )
    differs = " OR ".join(f"e.{c} IS DISTINCT FROM hc_staging.{c}" for c in compared) + " OR e.left_on IS NOT NULL"
    cursor.execute(
        f"""UPDATE hc_staging SET changed = {true} FROM healthchecks_registerentry e
        WHERE e.id = hc_staging.entry_id AND hc_staging.held = {false} AND hc_staging.matched = {false}
            AND ({differs})"""
    )
    cursor.execute(
        f"""UPDATE hc_staging SET rehash = {true} FROM healthchecks_registerentry e
        WHERE e.id = hc_staging.entry_id AND hc_staging.held = {false} AND hc_staging.matched = {false}
            AND e.row_hash IS NOT hc_staging.row_hash"""
    )


def _insert_people(cursor, *, where: str, now) -> int:
    """New people: a record for each staged NHS number not yet known (the bulk path of
    people.services.person_register); one added meanwhile by someone else is left as it is, and linked."""
    false = "false" if connection.vendor == "postgresql" else "0"
    cursor.execute(
        f"""INSERT INTO people_person (nhs_number, given_name, family_name, preferred_name, search_name,
            date_of_birth, sex, ethnicity, address, postcode, phone, email, practice_id, preferred_channel,
            safe_times, no_voicemail, do_not_contact, my_story, consent_nhs, consent_vcfse, consent_local_authority,
            consent_peer_support, version, created_at, updated_at)
        SELECT s.nhs_number, s.given_name, s.family_name, '', s.search_name, s.date_of_birth, COALESCE(s.sex, '0'), 'Z',
            '', s.postcode, s.phone, s.email, s.practice_id, '', '', {false}, {false}, '', {false}, {false}, {false},
            {false}, 1, %s, %s
        FROM hc_staging s WHERE {where}
        ON CONFLICT (nhs_number) DO NOTHING""",
        [now, now],
    )
    return cursor.rowcount


def _missing(true) -> str:
    """SQL: the register entry `e` has no row in the file: neither an identical row (known by its hash) nor a row for
    the same person and practice, nor a row held back for the person (they are still on the practice's list)."""
    return f"""(NOT EXISTS (SELECT 1 FROM hc_staging m WHERE m.matched = {true} AND m.row_hash = e.row_hash)
        AND NOT EXISTS (SELECT 1 FROM hc_staging s
            WHERE s.person_id = e.person_id AND (s.practice_id = e.practice_id OR s.held = {true})))"""


def _leaving(cursor, *, ids: list[int], true) -> list[dict]:
    """For each practice in the file: how many are on its register now, and how many would leave it."""
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(
        f"""SELECT d.name, d.ods_code, COUNT(*), SUM(CASE WHEN {_missing(true)} THEN 1 ELSE 0 END)
        FROM healthchecks_registerentry e JOIN directory_practice d ON d.id = e.practice_id
        WHERE e.practice_id IN ({marks}) AND e.left_on IS NULL
        GROUP BY d.name, d.ods_code ORDER BY d.name""",
        ids,
    )
    return [
        {"name": name, "ods_code": code, "on_register": on, "leaving": int(leaving or 0)}
        for name, code, on, leaving in cursor.fetchall()
    ]


def _analyze(cursor) -> None:
    """Fresh planner statistics for the tables the import filled (autovacuum may be off, or not yet round)."""
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {', '.join(FILLED_TABLES)}")
    else:
        # SQLite reads every row of an index when analysing unless told to sample.
        cursor.execute("PRAGMA analysis_limit = 1000")
        for table in FILLED_TABLES:
            cursor.execute(f"ANALYZE {table}")


def _report_staged(cursor, outcome, *, rows: str, kind: str, reason) -> None:
    """Reject the staged rows `rows` selects (line, NHS number, other): all are counted, the first few kept (every
    one passed to `on_error` when there is one), fetched a thousand at a time."""
    cursor.execute(f"SELECT COUNT(*) FROM ({rows}) r")
    total = cursor.fetchone()[0]
    if not total:
        return
    limit = "" if outcome.on_error is not None else f" LIMIT {int(outcome.keep)}"
    cursor.execute(f"SELECT * FROM ({rows}) r ORDER BY line{limit}")
    reported = 0
    while chunk := cursor.fetchmany(1000):
        for line, nhs, other in chunk:
            reported += 1
            outcome.reject(line, reason(nhs, other), kind)
    outcome.rejected += total - reported
    outcome.reasons[kind] = outcome.reasons.get(kind, 0) + total - reported


def _hold_repeats(cursor, outcome) -> None:
    """An NHS number on an earlier line too: the later line is rejected, naming the earlier one (the first)."""
    postgres = connection.vendor == "postgresql"
    false = "false" if postgres else "0"
    true = "true" if postgres else "1"
    if not postgres:
        cursor.execute("CREATE INDEX temp.hc_staging_nhs ON hc_staging (nhs_number)")
    cursor.execute(
        """UPDATE hc_staging SET repeat_of = f.first FROM (
            SELECT nhs_number, MIN(line) AS first FROM hc_staging GROUP BY nhs_number HAVING COUNT(*) > 1) f
        WHERE f.nhs_number = hc_staging.nhs_number AND hc_staging.line > f.first"""
    )
    if not cursor.rowcount:
        return
    _report_staged(
        cursor,
        outcome,
        rows=f"SELECT line, nhs_number, repeat_of FROM hc_staging WHERE repeat_of IS NOT NULL AND held = {false}",
        kind="The NHS number is on an earlier line too",
        reason=lambda nhs, first: (
            f"NHS number {format_nhs_number(nhs)} is also on line {first}: remove one of the two lines"
        ),
    )
    cursor.execute(f"UPDATE hc_staging SET held = {true} WHERE repeat_of IS NOT NULL AND held = {false}")


def _apply(cursor, *, outcome, by, today, now, leave_limit) -> None:
    """Bring the register in line with the staged rows. Set-based; sets the counts on `outcome`. Raises
    NeedsConfirmation (before anything is applied to the register) when more than `leave_limit` per cent of a
    practice's register would leave.

    On PostgreSQL everything up to the first change only reads, and the changes are then made APPLY_LINES lines of
    the file at a time, each in a short transaction of its own: a practice uploading its file, or staff working
    with the people in it, wait for one batch at most, never for the whole import."""
    postgres = connection.vendor == "postgresql"
    true = "true" if postgres else "1"
    false = "false" if postgres else "0"
    # The practices with valid rows in the file: only they lose the people missing from it.
    cursor.execute(
        f"SELECT DISTINCT practice_id FROM hc_staging WHERE held = {false} AND practice_id IS NOT NULL ORDER BY 1"
    )
    ids = [p for (p,) in cursor.fetchall()]
    if postgres:
        cursor.execute("ANALYZE hc_staging")
    now = connection.ops.adapt_datetimefield_value(now)
    today = connection.ops.adapt_datefield_value(today)
    actor_id = by.pk if by is not None and getattr(by, "is_authenticated", False) else None
    organisation = by.primary_organisation if actor_id else None
    who = {"now": now, "today": today, "org": organisation.pk if organisation else None, "actor": actor_id}

    if postgres:
        _link_postgres(cursor, compared=COMPARED)
    else:
        _link_sqlite(cursor, compared=COMPARED, now=now, true=true, false=false)
    cursor.execute(f"SELECT COUNT(*) FROM hc_staging WHERE held = {false} AND matched = {false} AND entry_id IS NULL")
    outcome.added = cursor.fetchone()[0]
    cursor.execute(
        f"""SELECT COUNT(*) FROM hc_staging
        WHERE entry_id IS NOT NULL AND (changed = {true} OR details_changed = {true})"""
    )
    outcome.updated = cursor.fetchone()[0]
    # Rows held back because a known NHS number has another date of birth.
    _report_staged(
        cursor,
        outcome,
        rows=f"SELECT line, nhs_number, NULL AS other FROM hc_staging WHERE dob_mismatch = {true}",
        kind="The NHS number belongs to someone with another date of birth",
        reason=lambda nhs, _other: (
            f"NHS number {format_nhs_number(nhs)} belongs to someone with a different date of birth: "
            "check the NHS number and date of birth"
        ),
    )
    if leave_limit is not None and ids:
        practices = _leaving(cursor, ids=ids, true=true)
        if any(p["leaving"] * 100 > leave_limit * p["on_register"] for p in practices):
            raise NeedsConfirmation(
                {
                    "rows": outcome.rows,
                    "added": outcome.added,
                    "updated": outcome.updated,
                    "left": sum(p["leaving"] for p in practices),
                    "rejected": outcome.rejected,
                    "practices": [p for p in practices if p["leaving"]],
                }
            )
    # Who has left, found before anything changes (the people added below have no entries yet), numbered so that
    # they can be marked a batch at a time.
    cursor.execute("DROP TABLE IF EXISTS hc_leaving")
    cursor.execute("CREATE TEMPORARY TABLE hc_leaving (id bigint NOT NULL, n integer NOT NULL)")
    if ids:
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"""INSERT INTO hc_leaving (id, n)
            SELECT e.id, ROW_NUMBER() OVER (ORDER BY e.id) FROM healthchecks_registerentry e
            WHERE e.practice_id IN ({marks}) AND e.left_on IS NULL AND {_missing(true)}""",
            ids,
        )
        outcome.left = cursor.rowcount
    filling = (outcome.added + outcome.left) * 10 >= outcome.rows
    analysed_at = 0
    for done, (lo, hi) in enumerate(_batches(cursor, postgres=postgres, false=false), start=1):
        with transaction.atomic():
            _apply_lines(cursor, lo=lo, hi=hi, **who)
        # A register filling from empty: statistics as it grows (after 1, 2, 4, 8... batches), so that worklists
        # read meanwhile are planned for the rows there are, not for an empty table (autovacuum may be off).
        if postgres and filling and done >= 2 * analysed_at:
            _analyze(cursor)
            analysed_at = done
    step = APPLY_LINES if postgres else max(outcome.left, 1)
    for lo in range(1, outcome.left + 1, step):
        with transaction.atomic():
            _apply_leaving(cursor, lo=lo, hi=lo + step - 1, **who)
    # Fresh statistics after a change large enough to move the planner (autovacuum may be off, or not yet round): a
    # register filled from empty misleads it badly (the worklist once took 130 s before its first ANALYZE).
    if filling or not postgres:
        _analyze(cursor)


def _batches(cursor, *, postgres, false) -> list[tuple[int, int]]:
    """The line ranges to apply, each with at most APPLY_LINES rows that may change something (on SQLite, one range):
    rows known unchanged from their hash, and rows held back, are skipped over."""
    work = f"held = {false} AND matched = {false}"
    if not postgres:
        cursor.execute(f"SELECT MIN(line), MAX(line) FROM hc_staging WHERE {work}")
        first, last = cursor.fetchone()
        return [] if first is None else [(first, last)]
    cursor.execute(
        f"""SELECT line FROM (SELECT line, ROW_NUMBER() OVER (ORDER BY line) AS n FROM hc_staging WHERE {work}) w
        WHERE n % {int(APPLY_LINES)} = 1 ORDER BY line"""
    )
    starts = [line for (line,) in cursor.fetchall()]
    if not starts:
        return []
    cursor.execute(f"SELECT MAX(line) FROM hc_staging WHERE {work}")
    ends = [start - 1 for start in starts[1:]] + [cursor.fetchone()[0]]
    return list(zip(starts, ends, strict=True))


def _apply_lines(cursor, *, lo, hi, now, today, org, actor) -> None:
    """Apply the staged lines lo to hi: new people, changed details, changed and new entries, each with its
    timeline entry."""
    postgres = connection.vendor == "postgresql"
    true = "true" if postgres else "1"
    false = "false" if postgres else "0"
    lines = f"s.line BETWEEN {int(lo)} AND {int(hi)}"
    if postgres and _insert_people(cursor, where=f"{lines} AND s.new_person AND s.person_id IS NULL", now=now):
        cursor.execute(
            f"""UPDATE hc_staging s SET person_id = p.id FROM people_person p
            WHERE {lines} AND s.new_person AND s.person_id IS NULL AND p.nhs_number = s.nhs_number"""
        )
    # Changed details of people already known: the practice's extract is the latest word on what it carries.
    labels = " || ".join(
        f"CASE WHEN COALESCE(s.{c}, '') <> '' AND s.{c} <> p.{c} THEN '{label}, ' ELSE '' END" for c, label in DETAILS
    )
    cursor.execute(
        f"""INSERT INTO core_timelineentry (person_id, at, service, kind, summary, link, organisation_id, actor_id)
        SELECT s.person_id, %s, 'record', 'details_changed',
            'Details changed from ' || d.name || '''s SMI register extract: ' || RTRIM({labels}, ', '), '', %s, %s
        FROM hc_staging s JOIN people_person p ON p.id = s.person_id JOIN directory_practice d ON d.id = s.practice_id
        WHERE {lines} AND s.details_changed = {true}""",
        [now, org, actor],
    )
    carried = ", ".join(
        f"{c} = CASE WHEN COALESCE(s.{c}, '') <> '' THEN s.{c} ELSE people_person.{c} END"
        for c, _label in DETAILS
        if c not in ("given_name", "family_name")
    )
    cursor.execute(
        f"""UPDATE people_person SET given_name = s.given_name, family_name = s.family_name,
            search_name = s.search_name, {carried}, version = people_person.version + 1, updated_at = %s
        FROM hc_staging s WHERE {lines} AND s.details_changed = {true} AND people_person.id = s.person_id""",
        [now],
    )
    # Changed entries: the practice's latest extract wins; a check the service did itself is kept if later.
    sets = ", ".join(f"{c} = s.{c}" for c in COMPARED)
    cursor.execute(
        f"""UPDATE healthchecks_registerentry SET {sets}, left_on = NULL, updated_at = %s, row_hash = s.row_hash,
            last_full_check = CASE WHEN healthchecks_registerentry.service_full_check IS NULL THEN s.file_full_check
                WHEN s.file_full_check IS NULL THEN healthchecks_registerentry.service_full_check
                WHEN s.file_full_check > healthchecks_registerentry.service_full_check THEN s.file_full_check
                ELSE healthchecks_registerentry.service_full_check END
        FROM hc_staging s WHERE {lines} AND s.changed = {true} AND healthchecks_registerentry.id = s.entry_id""",
        [now],
    )
    # Unchanged entries checked afresh (the rules changed, or the row differed only in its spacing): the row's hash
    # is kept, so the next identical row is known at once.
    cursor.execute(
        f"""UPDATE healthchecks_registerentry SET row_hash = s.row_hash
        FROM hc_staging s WHERE {lines} AND s.changed = {false} AND s.rehash = {true}
            AND healthchecks_registerentry.id = s.entry_id"""
    )
    cursor.execute(
        f"""INSERT INTO core_timelineentry (person_id, at, service, kind, summary, link, organisation_id, actor_id)
        SELECT s.person_id, %s, 'health_checks', 'register_updated',
            'SMI register entry updated from ' || d.name || '''s extract', '', %s, %s
        FROM hc_staging s JOIN directory_practice d ON d.id = s.practice_id WHERE {lines} AND s.changed = {true}""",
        [now, org, actor],
    )
    # New entries (one made meanwhile for the same person and practice, by another upload, is left as it is).
    cursor.execute(
        f"""INSERT INTO healthchecks_registerentry (person_id, practice_id, provider_id, pcn_id, date_of_birth,
            {", ".join(COMPARED)},
            service_full_check, last_full_check, joined_on, left_on, failed_attempts, hard_to_reach, updated_at,
            row_hash)
        SELECT s.person_id, s.practice_id, s.provider_id, s.pcn_id, s.date_of_birth,
            {", ".join("s." + c for c in COMPARED)}, NULL, s.file_full_check, %s, NULL, 0, {false}, %s, s.row_hash
        FROM hc_staging s
        WHERE {lines} AND s.held = {false} AND s.matched = {false} AND s.entry_id IS NULL AND s.person_id IS NOT NULL
        ON CONFLICT (practice_id, person_id) DO NOTHING""",
        [today, now],
    )
    cursor.execute(
        f"""INSERT INTO core_timelineentry (person_id, at, service, kind, summary, link, organisation_id, actor_id)
        SELECT s.person_id, %s, 'health_checks', 'register_added',
            CASE WHEN s.new_person = {true} THEN 'Record created and added to the SMI register of ' || d.name
                ELSE 'Added to the SMI register of ' || d.name END, '', %s, %s
        FROM hc_staging s JOIN directory_practice d ON d.id = s.practice_id
        WHERE {lines} AND s.held = {false} AND s.matched = {false} AND s.entry_id IS NULL
            AND s.person_id IS NOT NULL""",
        [now, org, actor],
    )


def _apply_leaving(cursor, *, lo, hi, now, today, org, actor) -> None:
    """People missing from a practice's new extract have left its register (never deleted): the ones numbered lo to
    hi in hc_leaving."""
    leaving = f"SELECT id FROM hc_leaving WHERE n BETWEEN {int(lo)} AND {int(hi)}"
    cursor.execute(
        f"""INSERT INTO core_timelineentry (person_id, at, service, kind, summary, link, organisation_id, actor_id)
        SELECT e.person_id, %s, 'health_checks', 'register_left',
            'Left the SMI register of ' || d.name || ' (not in the practice''s latest extract)', '', %s, %s
        FROM healthchecks_registerentry e JOIN directory_practice d ON d.id = e.practice_id
        WHERE e.id IN ({leaving}) AND e.left_on IS NULL""",
        [now, org, actor],
    )
    cursor.execute(
        f"UPDATE healthchecks_registerentry SET left_on = %s, updated_at = %s WHERE id IN ({leaving}) "
        "AND left_on IS NULL",
        [today, now],
    )


def _allowed_practices(by):
    """None means any practice (the command line, run by the service's operators)."""
    if by is None:
        return None
    from joinedup.directory.models import OutreachCoverage, Practice, TeamKind

    allowed: set[int] = set()
    for m in by.active_memberships:
        team = m.team
        if team.kind == TeamKind.PRACTICE and team.practice_id:
            allowed.add(team.practice_id)
        elif team.kind == TeamKind.OUTREACH:
            localities = OutreachCoverage.objects.filter(provider_id=team.organisation_id).values("locality_id")
            allowed.update(Practice.objects.filter(locality_id__in=localities).values_list("pk", flat=True))
    return allowed


def import_register(
    binary,
    *,
    by=None,
    filename: str = "",
    practice_code: str | None = None,
    progress=None,
    today=None,
    on_error=None,
    leave_limit: int | None = None,
) -> ImportOutcome:
    """Import one SMI register extract. `binary` is a seekable binary file. `progress(rows_read)` is called after
    each batch, `on_error(line, reason)` for each rejected row as it is found (the outcome keeps only the first
    few). With `leave_limit` (a percentage), an import that would mark more than that share of a practice's register
    as having left changes nothing and comes back with a `preview` of what it would do, to be confirmed.
    Raises nothing for bad files: a whole-file problem comes back as `refused`."""
    from joinedup.core.audit import AuditAction, audit_record

    from .models import RegisterImport

    if by is not None:
        from joinedup.accounts.roles import Perm
        from joinedup.core.access import may
        from joinedup.people.services import NotAllowed

        if not may(by, Perm.HC_REGISTER_FILES):
            raise NotAllowed(Perm.HC_REGISTER_FILES)
    today = today or timezone.localdate()
    now = timezone.now()
    outcome = ImportOutcome(on_error=on_error)
    practice = None
    if practice_code:
        from joinedup.directory.models import Practice

        practice = Practice.objects.filter(ods_code__iexact=practice_code.strip()).first()
    try:
        if practice_code and practice is None:
            raise FileRefused(f"Practice code {practice_code} is not a GP practice we know: check the ODS code")
        # On SQLite (one writer at a time whatever we do) the whole import is one transaction. On PostgreSQL the
        # file is read and checked into temporary tables first, with no transaction held and nothing changed; the
        # changes are then applied in short transactions (see _apply).
        with transaction.atomic() if connection.vendor != "postgresql" else nullcontext(), _import_session():
            _read_and_apply(
                binary,
                outcome,
                by=by,
                practice=practice,
                practice_code=practice_code,
                progress=progress,
                today=today,
                now=now,
                leave_limit=leave_limit,
            )
    except FileRefused as e:
        outcome = ImportOutcome(refused=str(e))
    except NeedsConfirmation as e:
        return ImportOutcome(preview=e.preview)
    outcome.errors.sort(key=lambda e: e["line"])
    record = RegisterImport.objects.create(
        at=now,
        by=by if by is not None and by.is_authenticated else None,
        filename=filename[:255],
        practice=practice,
        status=RegisterImport.Status.REFUSED if outcome.refused else RegisterImport.Status.APPLIED,
        problem=outcome.refused[:500],
        rows=outcome.rows,
        added=outcome.added,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        left=outcome.left,
        rejected=outcome.rejected,
        errors=outcome.errors,
        reasons=dict(sorted(outcome.reasons.items(), key=lambda kv: -kv[1])),
    )
    outcome.import_id = record.pk
    audit_record(
        by=by,
        action=AuditAction.CREATE,
        what="SMI register import" + (" (file refused)" if outcome.refused else ""),
        obj=record,
        reason=f"{filename[:100]}: {outcome.rows} rows, {outcome.added} added, {outcome.updated} updated, "
        f"{outcome.left} left, {outcome.rejected} rejected",
    )
    return outcome


def _lines(text, count: list[int]):
    """The file's lines, each at most MAX_LINE characters (memory stays flat whatever the file holds); `count[0]`
    is the number of the line last read. A longer line, or a NUL character, refuses the file naming the line."""
    while line := text.readline(MAX_LINE):
        count[0] += 1
        if len(line) >= MAX_LINE and line[-1] not in "\r\n":
            if count[0] == 1:
                raise FileRefused(
                    "The first line is longer than 128 KB: it must be the header row naming the columns "
                    "(nhs_number, family_name, given_name, date_of_birth, smi_code...)"
                )
            raise FileRefused(f"Line {count[0]:,} is longer than 128 KB: this is not a register extract as exported")
        if "\x00" in line:
            raise FileRefused(not_text(count[0]))
        yield line


@contextmanager
def _import_session():
    """The connection as an import needs it, and as it was afterwards."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The import's own sorts and hashes (repeats, links, who has left) over a million staged rows stay in
            # memory instead of spilling to disk; only this connection, and only until the import ends.
            cursor.execute(f"SET work_mem = '{int(IMPORT_WORK_MEM_MB)}MB'")
    try:
        yield
    finally:
        # The temporary tables last as long as the connection (they span transactions on PostgreSQL).
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS hc_staging")
                cursor.execute("DROP TABLE IF EXISTS hc_leaving")
                if connection.vendor == "postgresql":
                    cursor.execute("RESET work_mem")


def _stage_row(reader, names, known, line, record, outcome) -> tuple | None:
    """The staging tuple for one row of the file: known unchanged from its hash, checked, or held back (rejected,
    but its NHS number readable); None when it is rejected outright."""
    row_hash = reader.row_hash(record)
    if row_hash in known and (staged := reader.known_row(line, record, row_hash)):
        return staged
    row = dict(zip(names, record, strict=False))
    try:
        nhs = reader.nhs_number(row)
    except RowProblem as e:
        outcome.reject(line, str(e), e.kind)
        return None
    row["_nhs"] = nhs
    try:
        return reader.check(line, row, row_hash)
    except RowProblem as e:
        # Kept, held back: the person is still on the list (never marked as left), and a later line with the same
        # NHS number is a duplicate of this one.
        code = ((row.get("practice_code") or "").strip().upper()) or reader.given
        found = reader.practices.get(code or "")
        outcome.reject(line, str(e), e.kind)
        return _held_row(line, nhs, found[0] if found else None)


def _stage_file(cursor, rows, *, count, reader, names, known, outcome, progress) -> None:
    """Read, check and stage every row of the file."""
    with _staging_writer(cursor) as write:
        while True:
            try:
                record = next(rows, None)
            except csv.Error as e:
                raise FileRefused(
                    f"Line {count[0]:,} cannot be read ({e}): a value is longer than 128 KB or a quote mark "
                    "is not closed"
                ) from None
            if record is None:
                break
            line = count[0]
            if not "".join(record).strip():
                continue
            outcome.rows += 1
            staged = _stage_row(reader, names, known, line, record, outcome)
            if staged is not None:
                write(staged)
            if progress and outcome.rows % BATCH_ROWS == 0:
                progress(outcome.rows)
    if progress:
        progress(outcome.rows)
    if outcome.rows == 0:
        raise FileRefused("The file has a header but no rows")


def _read_and_apply(binary, outcome, *, by, practice, practice_code, progress, today, now, leave_limit):
    encoding = detect_encoding(binary)
    size = binary.seek(0, io.SEEK_END)
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
    count = [0]
    lines = _lines(text, count)
    try:
        first_line = next(lines, "").lstrip("\ufeff")
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        try:
            header = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            header = []
        names = [COLUMNS.get(header_key(h)) for h in header]
        known = {n for n in names if n}
        if not any(n in known for n in REQUIRED):
            raise FileRefused(
                "The file has no header row: its first line must name the columns "
                "(nhs_number, family_name, given_name, date_of_birth, smi_code...)"
            )
        required = list(REQUIRED) + ([] if practice_code else ["practice_code"])
        missing = [LABELS[r] for r in required if r not in known]
        if missing:
            raise FileRefused(f"The file has no column for: {', '.join(missing)}")
        allowed = _allowed_practices(by)
        reader = _Reader(names=names, practice_code=practice_code, allowed_practices=allowed, today=today)
        known = _known_hashes(size=size, practice_id=practice.pk if practice else None, allowed=allowed)
        rows = csv.reader(lines, delimiter=delimiter)
        with connection.cursor() as cursor:
            # Read and checked in one transaction of its own, which writes only to the import's own table.
            with transaction.atomic():
                _staging_create(cursor)
                _stage_file(
                    cursor,
                    rows,
                    count=count,
                    reader=reader,
                    names=names,
                    known=known,
                    outcome=outcome,
                    progress=progress,
                )
            _hold_repeats(cursor, outcome)
            _apply(
                cursor,
                outcome=outcome,
                by=by,
                today=today,
                now=now,
                leave_limit=leave_limit,
            )
        outcome.unchanged = outcome.rows - outcome.rejected - outcome.added - outcome.updated
    finally:
        lines.close()
        text.detach()
