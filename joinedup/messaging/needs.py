"""Communication needs decide how a message goes, or whether it goes at all (Accessible Information Standard).

`decide(person, purpose)` answers one Decision: the channel and where to, the earliest safe moment to send, the
letter's format, or why nothing is sent automatically and what a member of staff must do instead."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.core.validators import normalise_postcode, validate_uk_postcode
from joinedup.portal.queries import has_own_account

from .models import Channel
from .purposes import PURPOSES

MOBILE_RE = re.compile(r"^(?:\+44\s?7|07)\d{3}\s?\d{6}$")
# Texts and emails go in daytime hours even when the person names no safe times.
DAY_START, DAY_END = 9, 20


@dataclass
class Decision:
    channel: str = ""
    recipient: str = ""
    address: list = field(default_factory=list)
    letter_format: str = ""
    not_before: dt.datetime | None = None
    withheld: str = ""  # why no message goes
    task: str = ""  # what a member of staff must do instead ("" when nothing)


def _needs(person) -> dict[str, str]:
    return {n.need: n.detail for n in person.communication_needs.all()}


def is_mobile(phone: str) -> bool:
    return bool(MOBILE_RE.match((phone or "").replace("-", "").strip()))


def letter_address(person) -> list[str]:
    """Name, the address lines, the postcode last: 3 to 7 lines, as Notify's letters need; [] when it cannot be."""
    postcode = normalise_postcode(person.postcode)
    try:
        validate_uk_postcode(postcode)
    except ValidationError:
        return []
    if not postcode:
        return []
    lines = [p.strip() for p in re.split(r"[,\n]", person.address or "") if p.strip()]
    lines = [f"{person.given_name} {person.family_name}", *lines]
    if len(lines) > 6:
        lines = lines[:5] + [", ".join(lines[5:])]
    lines.append(postcode)
    return lines if 3 <= len(lines) <= 7 else []


def _reachable(person, channel: str) -> tuple[str, list]:
    if channel == Channel.TEXT:
        return (person.phone, []) if is_mobile(person.phone) else ("", [])
    if channel == Channel.EMAIL:
        return (person.email, []) if person.email else ("", [])
    address = letter_address(person)
    return ("", address) if address else ("", [])


def _order(person, needs, purpose) -> list[str]:
    if "text_only" in needs:
        return [Channel.TEXT]
    if "email_only" in needs:
        return [Channel.EMAIL]
    if PURPOSES[purpose].document and not has_own_account(person=person):
        return [Channel.LETTER, Channel.TEXT, Channel.EMAIL]
    preferred = {"text": Channel.TEXT, "email": Channel.EMAIL, "letter": Channel.LETTER}.get(person.preferred_channel)
    order = [Channel.TEXT, Channel.EMAIL, Channel.LETTER]
    if preferred:
        order.remove(preferred)
        order.insert(0, preferred)
    return order


def decide(person, purpose: str, *, now=None) -> Decision:
    now = now or timezone.now()
    label = PURPOSES[purpose].label
    if person.do_not_contact:
        return Decision(withheld="Do not contact")
    consent = PURPOSES[purpose].consent
    if consent and not getattr(person, consent):
        return Decision(withheld="No consent for this service to contact them")
    needs = _needs(person)
    for need in ("interpreter", "bsl"):
        if need in needs:
            language = needs[need] or ("British Sign Language" if need == "bsl" else "their language")
            return Decision(
                withheld="Needs an interpreter",
                task=f"Arrange an interpreter ({language}) to give them this message: {label}",
            )
    if person.preferred_channel == "phone" and not ({"text_only", "email_only"} & needs.keys()):
        voicemail = " Do not leave a voicemail." if person.no_voicemail else ""
        return Decision(withheld="Prefers a phone call", task=f"Phone them about this: {label}.{voicemail}")
    for channel in _order(person, needs, purpose):
        recipient, address = _reachable(person, channel)
        if not recipient and not address:
            continue
        decision = Decision(channel=channel, recipient=recipient, address=address)
        if channel == Channel.LETTER:
            if "braille" in needs or "audio" in needs:
                kind = "Braille" if "braille" in needs else "audio"
                return Decision(withheld=f"Needs {kind}", task=f"Arrange this in {kind}: {label}")
            decision.letter_format = (
                "easy_read" if "easy_read" in needs else "large_print" if "large_print" in needs else ""
            )
        else:
            decision.not_before = next_safe_time(person.safe_times, now)
        return decision
    return Decision(withheld="No way to reach them", task=f"Find a way to reach them about this: {label}")


# Safe times ---------------------------------------------------------------------------------------------------

DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_HOUR = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"


def _hour(h, m, ampm) -> float:
    hour = int(h) % 24
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    return hour + (int(m) / 60 if m else 0)


def safe_window(text: str) -> tuple[set[int], float, float]:
    """(weekdays allowed, from hour, to hour) read from what the person said, e.g. "Weekdays after 5pm",
    "Between 10am and 2pm", "Mornings only", "Not on Fridays", "Tuesdays and Thursdays". What cannot be read
    leaves the daytime default."""
    t = (text or "").lower()
    days = set(range(7))
    start, end = float(DAY_START), float(DAY_END)
    named = {i for i, d in enumerate(DAYS) if re.search(rf"\b{d}s?\b", t)}
    if "weekday" in t:
        days = set(range(5))
    elif "weekend" in t:
        days = {5, 6}
    if re.search(r"\bnot on\b", t) and named:
        days -= named
    elif named:
        days = named
    if "morning" in t:
        start, end = 9.0, 12.0
    elif "afternoon" in t:
        start, end = 12.0, 17.0
    elif "evening" in t:
        start, end = 17.0, 21.0
    if m := re.search(rf"between {_HOUR} and {_HOUR}", t):
        start, end = _hour(*m.groups()[:3]), _hour(*m.groups()[3:])
    elif m := re.search(rf"after {_HOUR}", t):
        start, end = _hour(*m.groups()), max(end, 21.0)
    elif m := re.search(rf"before {_HOUR}", t):
        end = _hour(*m.groups())
    if end <= start:
        start, end = float(DAY_START), float(DAY_END)
    return days or set(range(7)), start, end


def next_safe_time(text: str, now: dt.datetime) -> dt.datetime:
    """`now` if it is a safe time, otherwise the start of the next safe window (local time)."""
    days, start, end = safe_window(text)
    local = timezone.localtime(now)
    for offset in range(8):
        day = (local + dt.timedelta(days=offset)).date()
        if day.weekday() not in days:
            continue
        opens = timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=start))
        closes = timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=end))
        if local < closes:
            return max(local, opens)
    return now
