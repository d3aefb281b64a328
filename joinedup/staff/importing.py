"""Bulk import of joiners from a CSV file: every row is checked first, and either all are added or none.

Columns (header row required, in any order): username, first_name, last_name, team_code, role, and optionally
email, job_title, cis2_uid, start_date, end_date. `role` is the role's code (e.g. key_worker) or its name as shown
on the page; dates are YYYY-MM-DD or DD/MM/YYYY.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.accounts.models import User
from joinedup.accounts.roles import Role
from joinedup.directory.models import Team

from . import scope
from .services import staff_join

REQUIRED = ("username", "first_name", "last_name", "team_code", "role")
OPTIONAL = ("email", "job_title", "cis2_uid", "start_date", "end_date")
MAX_BYTES = 1_000_000
MAX_ROWS = 2_000
USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,150}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CIS2 = re.compile(r"^[0-9]{6,20}$")


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)  # "Row 3: ..." ; any error: nothing was added
    created: list[User] = field(default_factory=list)


def _date(value, column, problems):
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    problems.append(f"{column} {value!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
    return None


def _role(value):
    value = value.strip()
    for role in Role:
        if value.lower() in (role.value, role.label.lower()):
            return role.value
    return None


def read_rows(data: bytes):
    """The CSV's rows as dicts, or a ValidationError saying what is wrong with the file as a whole."""
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": f"The file is larger than {MAX_BYTES // 1_000_000} MB: split it"})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": "The file is not a CSV in UTF-8: save it as 'CSV UTF-8'"}) from None
    if "\x00" in text:
        raise ValidationError({"file": "The file is not a CSV: it holds a NUL character"})
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError({"file": f"The first row must name the columns; missing: {', '.join(missing)}"})
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise ValidationError({"file": f"The file has more than {MAX_ROWS:,} rows: split it"})
            rows.append({k: (v or "").strip() if isinstance(v, str) else "" for k, v in row.items() if k})
    except csv.Error as error:
        raise ValidationError({"file": f"The file is not a readable CSV ({error})"}) from None
    if not rows:
        raise ValidationError({"file": "The file has no staff in it, only a header row"})
    return rows


def _check(row, *, by, teams, taken_usernames, taken_cis2, today):
    problems = []
    username = row.get("username", "")
    if not USERNAME.match(username):
        problems.append("username must be 3 to 150 letters, digits or . _ -")
    elif username.lower() in taken_usernames:
        problems.append(f"username {username} is already taken")
    for column in ("first_name", "last_name"):
        if not row.get(column):
            problems.append(f"{column} is empty")
        elif len(row[column]) > 150:
            problems.append(f"{column} is longer than 150 characters")
    if row.get("email") and not EMAIL.match(row["email"]):
        problems.append(f"email {row['email']!r} is not an email address")
    cis2 = row.get("cis2_uid", "")
    if cis2 and not CIS2.match(cis2):
        problems.append("cis2_uid must be 6 to 20 digits")
    elif cis2 and cis2 in taken_cis2:
        problems.append(f"cis2_uid {cis2} is already another account's")
    team = teams.get(row.get("team_code", "").lower())
    if team is None:
        problems.append(f"team_code {row.get('team_code', '')!r} is not a team in the region")
    elif not scope.may_run_team(by, team):
        problems.append(f"team {team.name} is not in an organisation you administer")
    role = _role(row.get("role", ""))
    if role is None:
        problems.append(f"role {row.get('role', '')!r} is not a role (e.g. key_worker)")
    started = _date(row.get("start_date", ""), "start_date", problems)
    ends_on = _date(row.get("end_date", ""), "end_date", problems)
    if started and started > today:
        problems.append("start_date is in the future: import them on their first day")
    if ends_on and ends_on < (started or today):
        problems.append("end_date is before the start date")
    return problems, {"team": team, "role": role, "started": started, "ends_on": ends_on}


def staff_import(*, by, data: bytes, reason, request=None) -> ImportResult:
    """Check every row, then add them all in one transaction; with any problem, add none and say which rows."""
    result = ImportResult()
    rows = read_rows(data)
    teams = {t.code.lower(): t for t in Team.objects.select_related("organisation")}
    taken = {u.lower() for u in User.objects.values_list("username", flat=True)}
    taken_cis2 = set(User.objects.exclude(cis2_uid=None).values_list("cis2_uid", flat=True))
    today = timezone.localdate()
    checked = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        problems, parsed = _check(row, by=by, teams=teams, taken_usernames=taken, taken_cis2=taken_cis2, today=today)
        if problems:
            result.errors.append(f"Row {number} ({row.get('username') or 'no user name'}): " + "; ".join(problems))
        taken.add(row.get("username", "").lower())
        if row.get("cis2_uid"):
            taken_cis2.add(row["cis2_uid"])
        checked.append((row, parsed))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for row, parsed in checked:
                result.created.append(
                    staff_join(
                        by=by,
                        username=row["username"],
                        first_name=row["first_name"],
                        last_name=row["last_name"],
                        email=row.get("email", ""),
                        job_title=row.get("job_title", ""),
                        cis2_uid=row.get("cis2_uid", ""),
                        reason=f"{reason} (bulk import)",
                        request=request,
                        **parsed,
                    )
                )
    except (ValidationError, PermissionDenied) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        result.errors.append(f"Row {len(result.created) + 2}: " + "; ".join(messages))
        result.created = []
    return result
