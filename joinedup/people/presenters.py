"""What pages show about a person: dates, NHS numbers, flags, places. Templates only lay these out."""

from functools import cached_property

from django.utils import timezone

from joinedup.accounts.roles import ConsentKind
from joinedup.core.dates import age_on, format_date
from joinedup.core.validators import format_nhs_number
from joinedup.core.valuesets import value_set_lookup


class PersonPresenter:
    def __init__(self, person, *, key_worker=None):
        self.person = person
        self.key_worker = key_worker

    @property
    def pk(self):
        return self.person.pk

    @property
    def name(self):
        p = self.person
        preferred = f" (prefers {p.preferred_name})" if p.preferred_name else ""
        return f"{p.given_name} {p.family_name}{preferred}"

    @property
    def nhs_number(self):
        return format_nhs_number(self.person.nhs_number) or "Not known"

    @property
    def date_of_birth(self):
        return format_date(self.person.date_of_birth)

    @property
    def age(self):
        return age_on(self.person.date_of_birth, timezone.localdate())

    @property
    def sex(self):
        return self.person.get_sex_display()

    @property
    def ethnicity(self):
        return self.person.get_ethnicity_display()

    @cached_property
    def flags(self) -> list[dict]:
        """Communication needs and contact restrictions, shown wherever the person appears (DCB1605)."""
        labels = value_set_lookup("communication_needs", "flag")
        flags = []
        for need in self.person.communication_needs.all():
            text = labels.get(need.need, need.get_need_display())
            flags.append({"text": f"{text}: {need.detail}" if need.detail else text, "colour": "orange"})
        if self.person.do_not_contact:
            flags.append({"text": "Do not contact", "colour": "red"})
        if self.person.no_voicemail:
            flags.append({"text": "No voicemail", "colour": "yellow"})
        return flags

    @property
    def practice(self):
        return self.person.practice

    @property
    def pcn(self):
        return self.person.practice.pcn if self.person.practice else None

    @property
    def emdt_locality(self):
        return self.person.practice.locality if self.person.practice else None

    @property
    def outreach_provider(self):
        locality = self.emdt_locality
        coverage = getattr(locality, "outreach_coverage", None) if locality else None
        return coverage.provider if coverage else None

    @property
    def contact_preferences(self):
        p = self.person
        parts = []
        if p.preferred_channel:
            parts.append(f"Prefers {p.get_preferred_channel_display().lower()}")
        if p.safe_times:
            parts.append(f"Safe times: {p.safe_times}")
        if p.no_voicemail:
            parts.append("Do not leave voicemail")
        if p.do_not_contact:
            parts.append("Do not contact")
        return parts or ["No preferences recorded"]

    @property
    def consents(self):
        return [{"label": kind.label, "given": self.person.has_consent(kind.value)} for kind in ConsentKind]


def consents_in_words(user, person) -> list[str]:
    """The sharing this person has not agreed to that the user's access depends on, ready for a sentence
    ("voluntary and community organisations")."""
    from joinedup.core.access import consents_missing

    labels = consents_missing(user, person)
    return [label if label.startswith("NHS") else label[0].lower() + label[1:] for label in labels]


def record_withheld_because(request, person) -> list[str]:
    """On a page about a person whose record the user may not read (they reached them through a narrower
    relationship, such as health check outreach): why the rest is hidden. Empty when nothing is hidden."""
    from joinedup.accounts.roles import Perm
    from joinedup.core.access import may

    user = request.user
    if Perm.VIEW_RECORD not in user.permissions or may(user, Perm.VIEW_RECORD, person):
        return []
    return consents_in_words(user, person)
