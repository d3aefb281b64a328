"""What each message is for: its name on the timeline (content-free), the consent it needs, and the letter that
goes when a letter is the way to reach the person. Notify holds the text and email wording, under template ids
that come from the environment (settings.NOTIFY_TEMPLATES, "<purpose>:<channel>")."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Purpose:
    label: str  # on the timeline and the pages: names the kind of message, never what it says
    consent: str = ""  # a Person consent field the message needs, e.g. "consent_peer_support"
    # It hands over a document (the plan): a letter carries it; a text or email can only point to the person's own
    # Joined Up, so without one a letter goes first whatever channel they prefer (unless text or email only).
    document: bool = False


PURPOSES = {
    "hc_booking": Purpose("Health check appointment"),
    "hc_reminder": Purpose("Health check reminder"),
    "hc_follow_up": Purpose("Health check follow-up offered"),
    "emdt_invitation": Purpose("EMDT discussion invitation"),
    "plan_copy": Purpose("Care and support plan copy", document=True),
    "key_worker": Purpose("New key worker"),
    "peer_support_first_contact": Purpose("Peer support first contact", consent="consent_peer_support"),
}


def template_id(purpose: str, channel: str) -> str:
    return settings.NOTIFY_TEMPLATES.get(f"{purpose}:{channel}", "")
