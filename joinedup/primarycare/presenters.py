"""What primary care pages show: labels for coded values, and links into other services' flows when they exist."""

from django.urls import NoReverseMatch, reverse

from joinedup.core.dates import format_date

from . import rules

# The care plan's outcome measures page (DIALOG, Goal Based Outcomes), built in joinedup/care. Whichever of these
# names exists when the page renders is linked; none existing means no link.
OUTCOME_PAGE_NAMES = ("care:outcomes", "care:outcome_measures", "care:dialog")


def safe_url(name: str, person) -> str:
    """The URL of another service's page about this person, or "" when that page does not exist (yet)."""
    if not name:
        return ""
    for attempt in ({"kwargs": {"person_id": person.pk}}, {"args": [person.pk]}, {}):
        try:
            return reverse(name, **attempt)
        except NoReverseMatch:
            continue
    return ""


def outcome_measures_url(person) -> str:
    for name in OUTCOME_PAGE_NAMES:
        if url := safe_url(name, person):
            return url
    return ""


def needs_rows(assessment) -> list[dict]:
    """The assessment's presenting needs in care plan domain order, for a summary list."""
    return [
        {"key": {"text": label}, "value": {"text": assessment.needs[code]}}
        for code, label in rules.choices("need_domains")
        if assessment.needs.get(code)
    ]


class ReferralPresenter:
    def __init__(self, referral, person):
        self.referral = referral
        self.person = person

    @property
    def to(self):
        label = rules.label("onward_referral_kinds", self.referral.kind)
        return f"{label}: {self.referral.service_name}" if self.referral.service_name else label

    @property
    def continue_url(self):
        """For EMDT requests and peer support: the flow that takes the referral on, when it exists."""
        row = next((r for r in rules.value_set("onward_referral_kinds") if r["code"] == self.referral.kind), {})
        return safe_url(row.get("url_name", ""), self.person)

    @property
    def date(self):
        return format_date(self.referral.referred_on)


def session_limit_status(count: int) -> dict:
    """Where the episode is against the session limit: a warning once it is reached."""
    limit = rules.session_limit()
    if count >= limit:
        return {"reached": True, "text": f"{count} of {limit} sessions: the session limit is reached"}
    return {"reached": False, "text": f"{count} of {limit} sessions"}


def person_label(person) -> str:
    from joinedup.core.validators import format_nhs_number

    number = format_nhs_number(person.nhs_number) if person.nhs_number else "NHS number not known"
    return f"{person.given_name} {person.family_name} ({number})"


class CaseloadRows:
    """The caseload's rows (plain values from queries.caseload_for) with what the page shows for each."""

    def __init__(self, rows):
        self.rows = rows
        # One reverse for the whole list: the same URL pattern with each person's id put in.
        self._link = reverse("primarycare:person", args=[987654321]).replace("987654321", "{}")

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        from joinedup.core.validators import format_nhs_number

        limit = rules.session_limit()
        for row in self.rows:
            yield {
                **row,
                "link": self._link.format(row["person_id"]),
                "name": f"{row['given_name']} {row['family_name']}",
                "nhs_number": format_nhs_number(row["nhs_number"]) if row["nhs_number"] else "Not known",
                "mhp": f"{row['mhp_first_name']} {row['mhp_last_name']}",
                "since": format_date(row["opened_on"]),
                "last": format_date(row["last_session"]) if row["last_session"] else "None",
                "limit_reached": row["session_count"] >= limit,
            }
