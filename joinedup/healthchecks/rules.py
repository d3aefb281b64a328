"""Who needs outreach: the one place the rule lives (CLINICAL_FACTS.md, "SMI physical health checks").

Adults (18 or over today) on a practice's SMI register, who have not left it and are not in remission (decided by
the remission cluster, never by the diagnosis code), with no full check - all six core elements - in the last
36 months or never: first, longest since the last full check first and never first. Then those with no full check
in the last 12 months.
"""

import datetime as dt

from django.db.models import F, Q

ADULT_AGE = 18
OVERDUE_MONTHS = 36
DUE_MONTHS = 12

OVERDUE = "overdue"  # no full check in 36 months, or never
DUE = "due"  # no full check in 12 months


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (29 February falls back to the 28th)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 28):
        try:
            return dt.date(year, month, min(d, 31))
        except ValueError:
            continue
    return dt.date(year, month, 28)


def adult_born_on_or_before(today: dt.date) -> dt.date:
    """Someone born on or before this date is 18 or over today (18th birthday counts)."""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ADULT_AGE, day=28)


def cutoffs(today: dt.date) -> tuple[dt.date, dt.date]:
    """A full check on or after the first date counts as "in the last 36 months"; the second, "12 months"."""
    return months_before(today, OVERDUE_MONTHS), months_before(today, DUE_MONTHS)


def cohort_filter(today: dt.date, prefix: str = "") -> Q:
    """Register entries in the health check cohort today (any status)."""
    return Q(
        **{
            f"{prefix}left_on__isnull": True,
            f"{prefix}remission_code": "",
            f"{prefix}date_of_birth__lte": adult_born_on_or_before(today),
        }
    )


def needs_outreach_filter(today: dt.date, prefix: str = "") -> Q:
    """In the cohort and without a full check in the last 12 months (which includes the 36-month group)."""
    _, due = cutoffs(today)
    return cohort_filter(today, prefix) & (
        Q(**{f"{prefix}last_full_check__isnull": True}) | Q(**{f"{prefix}last_full_check__lt": due})
    )


def needs_outreach_order(prefix: str = ""):
    """Never checked first, then the longest since the last full check. The 36-month group comes first by
    construction (their last check is older than everyone else's)."""
    return [F(f"{prefix}last_full_check").asc(nulls_first=True), f"{prefix}id"]


def priority(entry, today: dt.date) -> str | None:
    """The group one entry falls in today: OVERDUE, DUE or None (not needing outreach)."""
    if entry.left_on is not None or entry.remission_code or entry.date_of_birth > adult_born_on_or_before(today):
        return None
    overdue, due = cutoffs(today)
    if entry.last_full_check is None or entry.last_full_check < overdue:
        return OVERDUE
    if entry.last_full_check < due:
        return DUE
    return None


def needs_outreach(entries, today: dt.date):
    """The queryset of entries needing outreach, in priority order."""
    return entries.filter(needs_outreach_filter(today)).order_by(*needs_outreach_order())


def full_check_date(dates: dict) -> dt.date | None:
    """From the six element dates a practice sends: the date by which all six had been recorded (the earliest
    of the six latest dates), or None when any is missing."""
    values = [
        dates.get(k) for k in ("bmi_date", "bp_date", "glucose_date", "lipids_date", "smoking_date", "alcohol_date")
    ]
    if any(v is None for v in values):
        return None
    return min(values)


# Ethnic categories (NHS Data Dictionary) for the lower BMI threshold: Indian, Pakistani, Bangladeshi,
# any other Asian background, Chinese.
SOUTH_ASIAN_OR_CHINESE = {"H", "J", "K", "L", "R"}


def _compare(value, comparison, threshold) -> bool:
    if comparison == "equals":
        return str(value) == str(threshold)
    if comparison == "at_least":
        return value >= threshold
    if comparison == "above":
        return value > threshold
    raise ValueError(f"Unknown comparison {comparison!r} in followup_thresholds.csv")


def check_flags(measures: dict, *, ethnicity: str = "") -> list[dict]:
    """The threshold rows (data/followup_thresholds.csv) a check's results meet. `measures` maps measure names
    (bmi, systolic, diastolic, hba1c, fasting_glucose, random_glucose, total_cholesterol, smoking) to values.
    Where two rows share a follow-up (BMI 25 and BMI 23), the person's own threshold applies; for HbA1c the
    higher band wins."""
    from decimal import Decimal

    from .valuesets import thresholds

    background = "south_asian_or_chinese" if ethnicity in SOUTH_ASIAN_OR_CHINESE else ""
    by_measure: dict[str, list[dict]] = {}
    for row in thresholds():
        if row["applies_to"] and row["applies_to"] != background:
            continue
        value = measures.get(row["measure"])
        if value is None or value == "":
            continue
        if row["comparison"] != "equals":
            value = Decimal(str(value))
        if _compare(value, row["comparison"], row["value"]):
            by_measure.setdefault(row["measure"], []).append(row)
    flags = []
    for measure, rows in by_measure.items():
        if measure == "bmi" and background:
            rows = [r for r in rows if r["applies_to"] == background] or rows
        # Keep the most specific row: the highest threshold met.
        flags.append(max(rows, key=lambda r: r["value"] if r["comparison"] != "equals" else 0))
    return flags


def follow_ups(flags: list[dict]) -> list[dict]:
    """The follow-ups a check's flags suggest: one per action, listing every reason for it. A blood pressure over
    both limits is one "Blood pressure review with the GP" for the systolic and the diastolic reading, not two."""
    by_action: dict[str, list[dict]] = {}
    for flag in flags:
        by_action.setdefault(flag["follow_up"], []).append(flag)
    return [
        {"code": "+".join(f["code"] for f in rows), "reason": "; ".join(f["flag"] for f in rows), "action": action}
        for action, rows in by_action.items()
    ]
