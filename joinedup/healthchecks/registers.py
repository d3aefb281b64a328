# ruff: noqa: S608 - the SQL below is built only from this module's constant column names; values go as parameters.
"""SMI register extracts in (PRACTICE_FILES.md): read generously, report every bad row, apply all or nothing.

The file is streamed: rows are checked one at a time and the valid ones written in bounded batches into a temporary
staging table (COPY on PostgreSQL). The register is then brought in line with set-based statements, all in the one
transaction that also holds the staging table, so a failure at any point leaves nothing behind.
"""

import codecs
import csv
import datetime as dt
import io
import re
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
MAX_ERRORS_KEPT = 1000

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
)


class FileRefused(Exception):
    """A whole-file problem: nothing is imported."""


@dataclass
class ImportOutcome:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)
    refused: str = ""
    import_id: int | None = None

    def as_json(self) -> dict:
        data = {k: getattr(self, k) for k in ("rows", "added", "updated", "unchanged", "left", "rejected")}
        data["errors"] = self.errors
        if self.refused:
            data["refused"] = self.refused
        return data


def header_key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", (name or "").strip().lstrip("\ufeff").lower())


def detect_encoding(binary) -> str:
    """UTF-8 (with or without a byte-order mark) when the whole file is valid UTF-8, else Windows-1252."""
    binary.seek(0)
    first = binary.read(65536)
    if not first.strip():
        raise FileRefused("The file is empty")
    if b"\x00" in first:
        raise FileRefused("The file is not a text (CSV) file: save it from the spreadsheet as CSV and try again")
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
def _text(raw: str, label: str, required: bool, limit: int) -> tuple[str, str]:
    """(value, problem): the value with spaces tidied, or the reason it cannot be taken."""
    value = " ".join(raw.split())
    if required and not value:
        return "", f"The {label} is empty"
    if len(value) > limit:
        return "", f"The {label} is longer than {limit} characters"
    try:
        validate_no_markup(value)
    except ValidationError:
        return "", f"The {label} contains < or > characters: remove them"
    return value, ""


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
    pass


class _Reader:
    """Checks one row at a time. Keeps only the NHS numbers seen (for duplicates) in memory."""

    def __init__(self, *, practice_code: str | None, allowed_practices: set[int] | None, today: dt.date):
        self.practices = _practices()
        self.given = practice_code.upper() if practice_code else None
        self.allowed = allowed_practices
        self.today = today
        self.seen: dict[int, int] = {}
        self.smi = smi_register_codes()
        self.remission = remission_codes()

    def practice(self, value):
        code = (value or "").strip().upper() or self.given
        if not code:
            raise RowProblem("Practice code is empty: add the practice's ODS code (for example P81001)")
        if self.given and code != self.given:
            raise RowProblem(f"Practice code {code} is not {self.given}, the practice this file is being imported for")
        found = self.practices.get(code)
        if found is None:
            raise RowProblem(f"Practice code {code} is not a GP practice we know: check the ODS code")
        if self.allowed is not None and found[0] not in self.allowed:
            raise RowProblem(f"Practice {code} is not one whose register you may import")
        return found

    def date(self, row, name, *, required=False):
        text = row.get(name)
        if text:
            text = text.strip()
        if not text:
            if required:
                raise RowProblem(f"The {LABELS[name]} is empty")
            return None
        try:
            value = _date(text)
        except DateParseError as e:
            raise RowProblem(
                f"The {LABELS[name]} '{text[:40]}' cannot be read ({e}): use a date like 3 March 2026"
            ) from None
        if value > self.today:
            raise RowProblem(f"The {LABELS[name]} {format_date(value)} is in the future")
        return value

    def text(self, row, name, *, required=False, limit=100):
        value, problem = _text(row.get(name) or "", LABELS.get(name, name.replace("_", " ")), required, limit)
        if problem:
            raise RowProblem(problem)
        return value

    def nhs_number(self, row):
        raw = (row.get("nhs_number") or "").strip()
        if not raw:
            raise RowProblem("The NHS number is missing")
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
            raise RowProblem(f"NHS number '{raw[:20]}': {e.messages[0]}") from None
        return digits

    def check(self, line: int, row: dict) -> tuple:
        """The staging tuple for a valid row, or RowProblem. Duplicates are checked by the caller."""
        nhs = row["_nhs"]
        practice_id, provider_id, pcn_id = self.practice(row.get("practice_code"))
        family = self.text(row, "family_name", required=True)
        given = self.text(row, "given_name", required=True)
        born = self.date(row, "date_of_birth", required=True)
        code = (row.get("smi_code") or "").strip()
        if not code:
            raise RowProblem("The SMI code is empty")
        if code not in self.smi:
            raise RowProblem(
                f"SMI code {code[:20]} is not in the SMI register cluster (MH_COD): check the diagnosis code"
            )
        smi_date = self.date(row, "smi_date")
        if smi_date and smi_date < born:
            raise RowProblem(
                f"The SMI diagnosis date {format_date(smi_date)} is before the date of birth {format_date(born)}"
            )
        remission = (row.get("remission_code") or "").strip()
        if remission and remission not in self.remission:
            raise RowProblem(
                f"Remission code {remission[:20]} is not in the remission cluster: check the code or leave it empty"
            )
        remission_date = self.date(row, "remission_date")
        last_full = self.date(row, "last_full_check_date")
        elements = [self.date(row, name) for name in ELEMENT_DATES]
        from_elements = full_check_date(dict(zip(ELEMENT_DATES, elements, strict=True)))
        file_full = max((d for d in (last_full, from_elements) if d), default=None)
        sex = SEX.get((row.get("sex") or "").strip().lower(), "0")
        postcode = _postcode(row.get("postcode") or "")
        phone = _phone(row.get("phone") or "")
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
        )


def _staging_create(cursor):
    postgres = connection.vendor == "postgresql"
    cursor.execute("DROP TABLE IF EXISTS hc_staging")
    boolean = "boolean" if postgres else "integer"
    temp = "CREATE TEMPORARY TABLE hc_staging" + (" " if not postgres else " ")
    cursor.execute(
        f"""{temp}(
            line integer NOT NULL, held {boolean} NOT NULL, nhs_number varchar(10) NOT NULL,
            practice_id bigint, provider_id bigint, pcn_id bigint,
            family_name varchar(100), given_name varchar(100), search_name varchar(201), date_of_birth date,
            sex varchar(1), postcode varchar(8), phone varchar(30), email varchar(254),
            smi_code varchar(20), smi_date date, remission_code varchar(20), remission_date date,
            file_full_check date, bmi_date date, bp_date date, glucose_date date, lipids_date date,
            smoking_date date, alcohol_date date,
            person_id bigint, entry_id bigint, changed {boolean} NOT NULL DEFAULT {"false" if postgres else 0},
            new_person {boolean} NOT NULL DEFAULT {"false" if postgres else 0}
        ){" ON COMMIT DROP" if postgres else ""}"""
    )


def _staging_write(cursor, batch):
    if not batch:
        return
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY hc_staging ({', '.join(STAGING_COLUMNS)}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(STAGING_COLUMNS))
        cursor.executemany(f"INSERT INTO hc_staging ({', '.join(STAGING_COLUMNS)}) VALUES ({marks})", batch)
    batch.clear()


def _held_row(line, nhs, practice_id):
    """A rejected row whose NHS number was readable: the person is still on the practice's list, so they must not
    be marked as having left."""
    return (line, True, nhs, practice_id, None, None, *([None] * (len(STAGING_COLUMNS) - 6)))


def _link_postgres(cursor, *, compared, now) -> list:
    """PostgreSQL: link the staged rows to people and entries, add the new people, and mark changed entries, in a
    few passes that write each staged row once (a new table) instead of updating it over and over. Returns the
    rows held back because a known NHS number has another date of birth."""
    cursor.execute(
        """SELECT s.line, s.nhs_number, s.date_of_birth, p.date_of_birth FROM hc_staging s
        JOIN people_person p ON p.nhs_number = s.nhs_number
        WHERE NOT s.held AND p.date_of_birth <> s.date_of_birth"""
    )
    mismatched = cursor.fetchall()
    if mismatched:
        cursor.execute("UPDATE hc_staging SET held = true WHERE line = ANY(%s)", [[m[0] for m in mismatched]])
    cursor.execute("CREATE TEMPORARY TABLE hc_new (nhs_number varchar(10) NOT NULL) ON COMMIT DROP")
    # New people: a record for each NHS number not yet known (the bulk path of people.services.person_register).
    cursor.execute(
        """WITH added AS (
            INSERT INTO people_person (nhs_number, given_name, family_name, preferred_name, search_name,
                date_of_birth, sex, ethnicity, address, postcode, phone, email, practice_id, preferred_channel,
                safe_times, no_voicemail, do_not_contact, my_story, consent_nhs, consent_vcfse,
                consent_local_authority, consent_peer_support, version, created_at, updated_at)
            SELECT s.nhs_number, s.given_name, s.family_name, '', s.search_name, s.date_of_birth, s.sex, 'Z', '',
                s.postcode, s.phone, s.email, s.practice_id, '', '', false, false, '', false, false, false,
                false, 1, %s, %s
            FROM hc_staging s WHERE NOT s.held
                AND NOT EXISTS (SELECT 1 FROM people_person p WHERE p.nhs_number = s.nhs_number)
            RETURNING nhs_number)
        INSERT INTO hc_new (nhs_number) SELECT nhs_number FROM added""",
        [now, now],
    )
    if cursor.rowcount:
        cursor.execute("ANALYZE hc_new")
    differs = " OR ".join(f"e.{c} IS DISTINCT FROM s.{c}" for c in compared) + " OR e.left_on IS NOT NULL"
    staged = ", ".join(f"s.{c}" for c in STAGING_COLUMNS)
    cursor.execute(
        f"""CREATE TEMPORARY TABLE hc_linked ON COMMIT DROP AS
        SELECT {staged}, p.id AS person_id, e.id AS entry_id,
            (e.id IS NOT NULL AND NOT s.held AND ({differs})) AS changed,
            (NOT s.held AND n.nhs_number IS NOT NULL) AS new_person
        FROM hc_staging s LEFT JOIN people_person p ON p.nhs_number = s.nhs_number
        LEFT JOIN hc_new n ON n.nhs_number = s.nhs_number
        LEFT JOIN healthchecks_registerentry e ON e.practice_id = s.practice_id AND e.person_id = p.id"""
    )
    cursor.execute("DROP TABLE hc_staging")
    cursor.execute("DROP TABLE hc_new")
    cursor.execute("ALTER TABLE hc_linked RENAME TO hc_staging")
    cursor.execute("CREATE INDEX ON hc_staging (person_id)")
    cursor.execute("ANALYZE hc_staging")
    return mismatched


def _apply(cursor, *, practices_in_file: set[int], by, today, now) -> dict:
    """Bring the register in line with the staged rows. Set-based; returns the counts."""
    distinct = "IS DISTINCT FROM"
    true = "true" if connection.vendor == "postgresql" else "1"
    false = "false" if connection.vendor == "postgresql" else "0"
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE hc_staging")
    else:
        cursor.execute("CREATE INDEX temp.hc_staging_nhs ON hc_staging (nhs_number)")
    now = connection.ops.adapt_datetimefield_value(now)
    today = connection.ops.adapt_datefield_value(today)
    actor_id = by.pk if by is not None and getattr(by, "is_authenticated", False) else None
    organisation = by.primary_organisation if actor_id else None
    organisation_id = organisation.pk if organisation else None

    compared = ("smi_code", "smi_date", "remission_code", "remission_date", "file_full_check", *ELEMENT_DATES)
    if connection.vendor == "postgresql":
        mismatched = _link_postgres(cursor, compared=compared, now=now)
    else:
        link_people = (
            "UPDATE hc_staging SET person_id = p.id FROM people_person p WHERE p.nhs_number = hc_staging.nhs_number"
        )
        cursor.execute(link_people)
        # A known NHS number with another date of birth is the wrong person or a typing error: never link it.
        cursor.execute(
            f"""SELECT s.line, s.nhs_number, s.date_of_birth, p.date_of_birth FROM hc_staging s
            JOIN people_person p ON p.id = s.person_id WHERE s.held = {false} AND p.date_of_birth <> s.date_of_birth"""
        )
        mismatched = cursor.fetchall()
        if mismatched:
            cursor.execute(
                f"""UPDATE hc_staging SET held = {true} WHERE held = {false} AND person_id IS NOT NULL AND EXISTS (
                    SELECT 1 FROM people_person p WHERE p.id = hc_staging.person_id
                    AND p.date_of_birth <> hc_staging.date_of_birth)"""
            )
        cursor.execute(f"UPDATE hc_staging SET new_person = {true} WHERE held = {false} AND person_id IS NULL")
        # New people: a record for each NHS number not yet known (the bulk path of people.services.person_register).
        cursor.execute(
            f"""INSERT INTO people_person (nhs_number, given_name, family_name, preferred_name, search_name,
                date_of_birth, sex, ethnicity, address, postcode, phone, email, practice_id, preferred_channel,
                safe_times, no_voicemail, do_not_contact, my_story, consent_nhs, consent_vcfse, consent_local_authority,
                consent_peer_support, version, created_at, updated_at)
            SELECT s.nhs_number, s.given_name, s.family_name, '', s.search_name, s.date_of_birth, s.sex, 'Z', '',
                s.postcode, s.phone, s.email, s.practice_id, '', '', {false}, {false}, '', {false}, {false}, {false},
                {false}, 1, %s, %s
            FROM hc_staging s WHERE s.held = {false} AND s.person_id IS NULL""",
            [now, now],
        )
        if cursor.rowcount:
            cursor.execute(link_people + " AND hc_staging.person_id IS NULL")
        if connection.vendor == "postgresql":
            cursor.execute("CREATE INDEX ON hc_staging (person_id)")
        else:
            cursor.execute("CREATE INDEX temp.hc_staging_person ON hc_staging (person_id)")
        cursor.execute(
            """UPDATE hc_staging SET entry_id = e.id FROM healthchecks_registerentry e
            WHERE e.practice_id = hc_staging.practice_id AND e.person_id = hc_staging.person_id"""
        )
        differs = " OR ".join(f"e.{c} {distinct} hc_staging.{c}" for c in compared) + " OR e.left_on IS NOT NULL"
        cursor.execute(
            f"""UPDATE hc_staging SET changed = {true} FROM healthchecks_registerentry e
            WHERE e.id = hc_staging.entry_id AND hc_staging.held = {false} AND ({differs})"""
        )
    cursor.execute(f"SELECT COUNT(*) FROM hc_staging WHERE held = {false} AND entry_id IS NULL")
    added = cursor.fetchone()[0]
    cursor.execute(f"SELECT COUNT(*) FROM hc_staging WHERE changed = {true}")
    updated = cursor.fetchone()[0]

    # Changed entries: the practice's latest extract wins; a check the service did itself is kept if later.
    sets = ", ".join(f"{c} = s.{c}" for c in compared)
    cursor.execute(
        f"""UPDATE healthchecks_registerentry SET {sets}, left_on = NULL, updated_at = %s,
            last_full_check = CASE WHEN healthchecks_registerentry.service_full_check IS NULL THEN s.file_full_check
                WHEN s.file_full_check IS NULL THEN healthchecks_registerentry.service_full_check
                WHEN s.file_full_check > healthchecks_registerentry.service_full_check THEN s.file_full_check
                ELSE healthchecks_registerentry.service_full_check END
        FROM hc_staging s WHERE s.changed = {true} AND healthchecks_registerentry.id = s.entry_id""",
        [now],
    )
    cursor.execute(
        f"""INSERT INTO core_timelineentry (person_id, at, service, kind, summary, link, organisation_id, actor_id)
        SELECT s.person_id, %s, 'health_checks', 'register_updated',
            'SMI register entry updated from ' || d.name || '''s extract', '', %s, %s
        FROM hc_staging s JOIN directory_practice d ON d.id = s.practice_id WHERE s.changed = {true}""",
        [now, organisation_id, actor_id],
    )
    # New entries.
    columns = ", ".join(compared)
    cursor.execute(
        f"""INSERT INTO healthchecks_registerentry (person_id, practice_id, provider_id, pcn_id, date_of_birth,
            {columns},
            service_full_check, last_full_check, joined_on, left_on, failed_attempts, hard_to_reach, updated_at)
        SELECT s.person_id, s.practice_id, s.provider_id, s.pcn_id, s.date_of_birth,
            {", ".join("s." + c for c in compared)}, NULL, s.file_full_check, %s, NULL, 0, {false}, %s
        FROM hc_staging s WHERE s.held = {false} AND s.entry_id IS NULL""",
        [today, now],
    )
    cursor.execute(
        f"""INSERT INTO core_timelineentry (person_id, at, service, kind, summary, link, organisation_id, actor_id)
        SELECT s.person_id, %s, 'health_checks', 'register_added',
            CASE WHEN s.new_person = {true} THEN 'Record created and added to the SMI register of ' || d.name
                ELSE 'Added to the SMI register of ' || d.name END, '', %s, %s
        FROM hc_staging s JOIN directory_practice d ON d.id = s.practice_id
        WHERE s.held = {false} AND s.entry_id IS NULL""",
        [now, organisation_id, actor_id],
    )
    # People missing from a practice's new extract have left its register (never deleted).
    left = 0
    if practices_in_file:
        ids = sorted(practices_in_file)
        marks = ", ".join(["%s"] * len(ids))
        missing = f"""e.practice_id IN ({marks}) AND e.left_on IS NULL AND NOT EXISTS (
            SELECT 1 FROM hc_staging s
            WHERE s.person_id = e.person_id AND (s.practice_id = e.practice_id OR s.held = {true}))"""
        cursor.execute(
            f"""INSERT INTO core_timelineentry (person_id, at, service, kind, summary, link, organisation_id, actor_id)
            SELECT e.person_id, %s, 'health_checks', 'register_left',
                'Left the SMI register of ' || d.name || ' (not in the practice''s latest extract)', '', %s, %s
            FROM healthchecks_registerentry e JOIN directory_practice d ON d.id = e.practice_id WHERE {missing}""",
            [now, organisation_id, actor_id, *ids],
        )
        cursor.execute(
            f"UPDATE healthchecks_registerentry SET left_on = %s, updated_at = %s WHERE id IN ("
            f"SELECT e.id FROM healthchecks_registerentry e WHERE {missing})",
            [today, now, *ids],
        )
        left = cursor.rowcount
    cursor.execute("DROP TABLE IF EXISTS hc_staging")
    errors = [
        {
            "line": line,
            "reason": f"NHS number {format_nhs_number(nhs)} belongs to someone with a different date of birth: "
            "check the NHS number and date of birth",
        }
        for line, nhs, *_ in mismatched
    ]
    return {"added": added, "updated": updated, "left": left, "errors": errors}


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
    binary, *, by=None, filename: str = "", practice_code: str | None = None, progress=None, today=None
) -> ImportOutcome:
    """Import one SMI register extract. `binary` is a seekable binary file. `progress(rows_read)` is called after
    each batch. Raises nothing for bad files: a whole-file problem comes back as `refused`."""
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
    outcome = ImportOutcome()
    practice = None
    if practice_code:
        from joinedup.directory.models import Practice

        practice = Practice.objects.filter(ods_code__iexact=practice_code.strip()).first()
    try:
        if practice_code and practice is None:
            raise FileRefused(f"Practice code {practice_code} is not a GP practice we know: check the ODS code")
        with transaction.atomic():
            _import(binary, outcome, by=by, practice_code=practice_code, progress=progress, today=today, now=now)
    except FileRefused as e:
        outcome = ImportOutcome(refused=str(e))
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
        errors=outcome.errors[:MAX_ERRORS_KEPT],
    )
    outcome.import_id = record.pk
    audit_record(
        by=by,
        action=AuditAction.CREATE,
        what="SMI register import" + (" (file refused)" if outcome.refused else ""),
        obj=record,
        reason=f"{filename[:100]}: {outcome.rows} rows, {outcome.added} added, {outcome.left} left, "
        f"{outcome.rejected} rejected",
    )
    return outcome


def _import(binary, outcome, *, by, practice_code, progress, today, now):
    encoding = detect_encoding(binary)
    text = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
    try:
        first_line = text.readline()
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        header = next(csv.reader([first_line], delimiter=delimiter), [])
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
        reader = _Reader(practice_code=practice_code, allowed_practices=_allowed_practices(by), today=today)
        rows = csv.reader(text, delimiter=delimiter)
        practices_in_file: set[int] = set()
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            _staging_create(cursor)
            for record in rows:
                line = rows.line_num + 1
                if not "".join(record).strip():
                    continue
                outcome.rows += 1
                row = dict(zip(names, record, strict=False))
                try:
                    nhs = reader.nhs_number(row)
                    key = int(nhs)
                    earlier = reader.seen.get(key)
                    if earlier is not None:
                        raise RowProblem(
                            f"NHS number {format_nhs_number(nhs)} is also on line {earlier}: "
                            "remove one of the two lines"
                        )
                    reader.seen[key] = line
                    row["_nhs"] = nhs
                    try:
                        staged = reader.check(line, row)
                    except RowProblem:
                        code = ((row.get("practice_code") or "").strip().upper()) or reader.given
                        found = reader.practices.get(code or "")
                        if found:
                            batch.append(_held_row(line, nhs, found[0]))
                        raise
                except RowProblem as e:
                    outcome.rejected += 1
                    outcome.errors.append({"line": line, "reason": str(e)})
                else:
                    batch.append(staged)
                    practices_in_file.add(staged[3])
                if len(batch) >= BATCH_ROWS:
                    _staging_write(cursor, batch)
                    if progress:
                        progress(outcome.rows)
            _staging_write(cursor, batch)
            if progress:
                progress(outcome.rows)
            if outcome.rows == 0:
                raise FileRefused("The file has a header but no rows")
            counts = _apply(cursor, practices_in_file=practices_in_file, by=by, today=today, now=now)
        outcome.added, outcome.updated, outcome.left = counts["added"], counts["updated"], counts["left"]
        if counts["errors"]:
            outcome.rejected += len(counts["errors"])
            outcome.errors = sorted(outcome.errors + counts["errors"], key=lambda e: e["line"])
        outcome.unchanged = outcome.rows - outcome.rejected - outcome.added - outcome.updated
    finally:
        text.detach()
