"""Letters as PDFs, made with WeasyPrint to GOV.UK Notify's precompiled letter rules: A4; the address block
24.6-120 mm from the left and 39.5-66.3 mm from the top, 3 to 7 lines, a UK postcode last and nothing else in that
area; 15 mm side margins and 5 mm top and bottom; the body from 95 mm down on page 1; at most 10 pages. A large
print letter keeps the address block as Notify needs it and sets the body in 18 point; an easy read letter uses
short sentences (the wording in WORDS). A plan copy carries the plan itself after its covering words, laid out by
the plan's own printable template (care/_plan_body.jinja), from page 2."""

from django.template.loader import render_to_string
from django.utils import timezone

from joinedup.core.dates import format_date

MAX_PAGES = 10

# Each purpose's letter, in plain and in easy read wording; {placeholders} come from the message's personalisation.
WORDS = {
    "hc_booking": (
        [
            "Your physical health check is booked for {when} at {place}.",
            "The check takes about 30 minutes. It looks at your weight, blood pressure, blood sugar and "
            "cholesterol, and whether you smoke or drink alcohol. Please bring a list of any medicines you take.",
            "If you cannot come, please call us so we can find another time.",
        ],
        ["We have booked your health check.", "When: {when}.", "Where: {place}.", "Call us if you cannot come."],
    ),
    "hc_reminder": (
        ["This is a reminder that your physical health check is on {when} at {place}."],
        ["Your health check is soon.", "When: {when}.", "Where: {place}."],
    ),
    "hc_follow_up": (
        [
            "Thank you for having your physical health check on {when}.",
            "It found some things we would like to help you with. {who} will contact you to talk about them and "
            "what would help. You can say no to anything you do not want.",
        ],
        [
            "Thank you for your health check on {when}.",
            "We want to help with some things it found.",
            "{who} will contact you.",
        ],
    ),
    "emdt_invitation": (
        [
            "Your care will be talked about at a meeting of the team that supports you on {when}.",
            "You are welcome to come, or to tell us what you would like the team to know. Think about what is "
            "going well, what is hard, and what would help. {portal}",
        ],
        ["Your care team will meet on {when}.", "You can come.", "You can tell us what matters to you. {portal}"],
    ),
    "plan_copy": (
        [
            "Here is a copy of the care and support plan you agreed on {when}. It starts on the next page. Keep it "
            "somewhere safe, and bring it when you meet the people who support you.",
            "If anything in it is wrong, or you want to change it, tell your key worker.",
        ],
        [
            "This is your plan.",
            "We agreed it on {when}.",
            "It is on the next page.",
            "Tell your key worker if it is wrong.",
        ],
    ),
    "key_worker": (
        ["Your new key worker is {key_worker}. They will be in touch soon to introduce themselves."],
        ["You have a new key worker.", "Their name is {key_worker}.", "They will contact you soon."],
    ),
    "peer_support_first_contact": (
        ["Thank you for meeting your peer support worker. We look forward to working with you."],
        ["You met your peer support worker.", "We will see you again soon."],
    ),
}


class _Blank(dict):
    def __missing__(self, key):
        return ""


def paragraphs(purpose: str, personalisation: dict, *, easy_read: bool) -> list[str]:
    plain, easy = WORDS[purpose]
    values = _Blank({k: str(v) for k, v in personalisation.items()})
    return [p.format_map(values).strip() for p in (easy if easy_read else plain)]


def letter_html(
    *, purpose, address: list[str], personalisation: dict, letter_format: str = "", extra=None, plan_version=None
) -> str:
    plan = {}
    if plan_version is not None:
        from joinedup.care.printing import own_copy

        plan = own_copy(version=plan_version)
    return render_to_string(
        "messaging/letter.jinja",
        {
            **plan,
            "address": address,
            "date": format_date(timezone.localdate()),
            "paragraphs": [
                *paragraphs(purpose, personalisation, easy_read=letter_format == "easy_read"),
                *(extra or []),
            ],
            "large_print": letter_format in ("large_print", "easy_read"),
        },
    )


class LetterTooLong(Exception):
    pass


def letter_pdf(**kwargs) -> bytes:
    from weasyprint import HTML

    document = HTML(string=letter_html(**kwargs)).render()
    if len(document.pages) > MAX_PAGES:
        raise LetterTooLong(f"The letter is {len(document.pages)} pages: Notify takes at most {MAX_PAGES}")
    return document.write_pdf()
