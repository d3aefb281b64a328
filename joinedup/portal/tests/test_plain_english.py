"""Every portal page's own words read easily: Flesch reading ease 60 or more (textstat).

The pages are rendered for a person with an empty record (another person's data would be measured otherwise), and
the text of <main> is measured. textstat counts syllables with the CMU dictionary, which it downloads at first use;
tests run offline, so syllables come from its other counter (pyphen's en_US hyphenation), as textstat itself does for
a word the dictionary lacks.
"""

import html
import re

import pytest
import textstat
from django.template.loader import render_to_string
from django.test import RequestFactory

from joinedup.portal.tests.fixtures import portal_sign_in

pytestmark = pytest.mark.django_db
THRESHOLD = 60


@pytest.fixture(autouse=True)
def offline_syllables(monkeypatch):
    import textstat.backend.counts._count_syllables as counting

    monkeypatch.setattr(counting, "get_cmudict", lambda lang: None)
    textstat.set_lang("en_US")


def main_text(page: str) -> str:
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    # Each heading, label, list item or table cell is a sentence of its own.
    main = re.sub(r"</(h1|h2|h3|p|li|label|legend|button|td|th|dt|dd|a|span)>", ". ", main)
    text = html.unescape(re.sub(r"<[^>]+>", " ", main))
    return re.sub(r"(\s*\.\s*)+", ". ", re.sub(r"\s+", " ", text)).strip()


def score(text):
    assert len(text.split()) >= 8, f"too little text to measure: {text!r}"
    return textstat.flesch_reading_ease(text)


def test_every_portal_page_reads_easily(portal, other_person):
    from django.urls import reverse

    client = portal_sign_in("other")
    urls = [
        reverse(f"portal:{name}")
        for name in (
            "home",
            "plan",
            "plan_respond",
            "about_me",
            "dialog",
            "sharing",
            "who_looked",
            "concern",
            "download",
            "helpers",
        )
    ]
    scores = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        scores[url] = score(main_text(response.content.decode()))
    anonymous = portal_sign_in("stranger")
    scores["no record"] = score(main_text(anonymous.last_response.content.decode()))
    for name in ("portal:sign_in", "portal:signed_out", "portal:timed_out"):
        scores[name] = score(main_text(client.get(reverse(name)).content.decode()))
    request = RequestFactory().get("/my/")
    for kind in ("proofing", "ended", "unavailable", "cancelled", "expired", "failed"):
        page = render_to_string("portal/problem.jinja", {"kind": kind}, request=request)
        scores[f"problem: {kind}"] = score(main_text(page))
    page = render_to_string("portal/staff_refused.jinja", {}, request=request)
    scores["staff refused"] = score(main_text(page))
    print({name: round(value) for name, value in scores.items()})
    hard = {name: round(value) for name, value in scores.items() if value < THRESHOLD}
    assert not hard, f"pages below Flesch {THRESHOLD}: {hard}"


def test_the_measure_tells_plain_from_hard_text():
    assert score("You can see your plan. Tell us if you agree with it.") >= THRESHOLD
    hard = "Authorisation necessitates comprehensive identity verification procedures preceding confidential retrieval."
    assert score(hard) < THRESHOLD
