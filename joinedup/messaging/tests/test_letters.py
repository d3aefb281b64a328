"""Letters to GOV.UK Notify's precompiled letter rules, read back from the PDF with pdfplumber."""

import io

import pdfplumber
import pytest

from joinedup.messaging.letters import MAX_PAGES, LetterTooLong, letter_pdf
from joinedup.messaging.models import Message, Status
from joinedup.messaging.services import outbox_send_due
from standins.notify.server import letter_problems

from .helpers import contactable, daytime, needs, queue

MM = 72 / 25.4
ADDRESS = ["Zoë Ashworth", "Flat 2", "12 Church Street", "South Shore", "Blackpool", "FY1 3AB"]
DETAILS = {"name": "Zoë", "when": "3 March 2027 at 10:30", "place": "Whitegate Surgery", "key_worker": "Sam Lee"}


def read(pdf: bytes):
    return pdfplumber.open(io.BytesIO(pdf))


def mm(value: float) -> float:
    return value / MM


def lines_in(words, top, bottom, left, right):
    found: dict[int, list[str]] = {}
    for w in words:
        inside = w["top"] >= top * MM - 1 and w["bottom"] <= bottom * MM + 1
        if inside and w["x0"] >= left * MM - 1 and w["x1"] <= right * MM + 1:
            found.setdefault(round(w["top"]), []).append(w["text"])
    return [" ".join(t) for _, t in sorted(found.items())]


def assert_notify_precompiled(pdf: bytes, address: list[str]) -> None:
    """Notify's precompiled letter rules, read back from the PDF."""
    with read(pdf) as doc:
        assert 1 <= len(doc.pages) <= MAX_PAGES
        first = doc.pages[0]
        assert (round(mm(first.width)), round(mm(first.height))) == (210, 297)  # A4
        words = first.extract_words()
        # The address block holds the address, 3 to 7 lines with the postcode last, and nothing else.
        assert lines_in(words, 39.5, 66.3, 24.6, 120) == address
        in_area = [w for w in words if w["x1"] > 24.6 * MM and w["x0"] < 120 * MM and w["bottom"] > 39.5 * MM]
        in_area = [w for w in in_area if w["top"] < 66.3 * MM]
        assert " ".join(w["text"] for w in in_area) == " ".join(address)
        # The body starts 95 mm down page 1: nothing between the address block and there.
        below_address = [w for w in words if w["top"] > 66.3 * MM]
        assert below_address and min(w["top"] for w in below_address) >= 95 * MM - 0.5
        for page in doc.pages:  # 15 mm side margins, 5 mm top and bottom
            for w in page.extract_words():
                assert w["x0"] >= 15 * MM - 0.5 and w["x1"] <= 195 * MM + 0.5, w
                assert w["top"] >= 5 * MM - 0.5 and w["bottom"] <= 292 * MM + 0.5, w
    assert letter_problems(pdf) == ""  # and the Notify stand-in's own check agrees


@pytest.mark.parametrize("letter_format", ["", "large_print", "easy_read"])
def test_a_letter_follows_notifys_precompiled_rules(letter_format):
    pdf = letter_pdf(purpose="hc_booking", address=ADDRESS, personalisation=DETAILS, letter_format=letter_format)
    assert_notify_precompiled(pdf, ADDRESS)


def test_a_large_print_letter_is_large_print_but_keeps_the_address_block():
    sizes = {}
    for letter_format in ("", "large_print"):
        pdf = letter_pdf(purpose="hc_booking", address=ADDRESS, personalisation=DETAILS, letter_format=letter_format)
        with read(pdf) as doc:
            body = [c["size"] for c in doc.pages[0].chars if c["top"] > 95 * MM]
            address = [c["size"] for c in doc.pages[0].chars if 39.5 * MM < c["top"] < 66.3 * MM]
            sizes[letter_format] = (min(body), max(address))
    assert sizes[""][0] < 12 and sizes["large_print"][0] >= 16  # RNIB: large print is 16 point or more
    assert sizes["large_print"][1] == sizes[""][1]


def test_a_long_letter_runs_on_to_more_pages_and_one_too_long_is_refused():
    many = [f"Paragraph {n} of what the person asked us to write down for them." for n in range(80)]
    pdf = letter_pdf(purpose="plan_copy", address=ADDRESS, personalisation=DETAILS, extra=many)
    with read(pdf) as doc:
        assert 1 < len(doc.pages) <= MAX_PAGES
    with pytest.raises(LetterTooLong):
        letter_pdf(purpose="plan_copy", address=ADDRESS, personalisation=DETAILS, extra=many * 8)


@pytest.mark.django_db
def test_a_letter_goes_through_notify(person, personas, notify_standin):
    clinician = personas.community_clinician
    person = contactable(
        person, clinician, preferred_channel="letter", address="12 Church Street, Blackpool", postcode="fy13ab"
    )
    person = needs(person, clinician, large_print="")
    message = queue(person, clinician, now=daytime())
    assert message.address == ["Zoë Ashworth", "12 Church Street", "Blackpool", "FY1 3AB"]
    assert outbox_send_due(now=daytime()) == {Status.SENT: 1}
    [kept] = notify_standin.sent
    assert kept["type"] == "letter" and kept["reference"] == message.reference


def test_the_stand_in_refuses_a_letter_with_no_postcode_last():
    pdf = letter_pdf(purpose="hc_booking", address=ADDRESS[:-1] + ["Lancashire"], personalisation=DETAILS)
    assert "postcode" in letter_problems(pdf)


# A copy of an agreed plan carries the plan ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("letter_format", ["", "large_print"])
def test_a_plan_copy_letter_carries_the_plan_itself_to_notifys_rules(person, personas, notify_standin, letter_format):
    from joinedup.care.tests.fixtures import make_agreed_plan

    clinician = personas.community_clinician
    person = contactable(
        person, clinician, preferred_channel="letter", address="12 Church Street, Blackpool", postcode="FY1 3AB"
    )
    if letter_format:
        person = needs(person, clinician, large_print="")
    version = make_agreed_plan(by=clinician, person=person)
    message = Message.objects.get(key=f"plan_copy:{version.pk}")
    assert message.channel == "letter" and message.plan_version == version
    assert message.letter_format == letter_format
    pdf = letter_pdf(
        purpose="plan_copy",
        address=message.address,
        personalisation=message.personalisation,
        letter_format=letter_format,
        plan_version=version,
    )
    assert_notify_precompiled(pdf, ["Zoë Ashworth", "12 Church Street", "Blackpool", "FY1 3AB"])
    with read(pdf) as doc:
        assert len(doc.pages) >= 2
        cover = doc.pages[0].extract_text()
        plan = " ".join(page.extract_text() for page in doc.pages[1:])
        plan_sizes = [c["size"] for page in doc.pages[1:] for c in page.chars]
    assert "care and support plan you agreed" in cover and "What matters to me" not in cover
    # The plan itself, as its printable copy has it: every section, the person's own words, the key worker.
    for words in (
        "My care and support plan",
        "Seeing my sister and keeping my flat",
        "I want to get back to swimming on Saturdays",
        "Who does what by when",
        "Crisis line 0800 953 0110",
        "My key worker",
    ):
        assert words in " ".join(plan.split()), words
    assert min(plan_sizes) >= (16 if letter_format else 8)  # large print all through, the plan too
    assert outbox_send_due(now=daytime()) == {Status.SENT: 1}
    [kept] = notify_standin.sent
    assert kept["type"] == "letter" and kept["reference"] == message.reference
