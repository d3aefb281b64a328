"""Told once: what the record already knows, carried into the next form and shown there, never asked again.

Each hand-over (an MHP's onward referral to peer support, an EMDT request from an MHP, the plan draft after an
EMDT discussion) reads what it carries from here, so the same values are shown the same way on every form.
"""

from dataclasses import dataclass

from joinedup.core.dates import format_date


@dataclass(frozen=True)
class Carried:
    label: str
    value: str


def known_about(person) -> list[Carried]:
    """What every hand-over shows from the record: the person's own words, communication needs, what they have
    agreed to share, and their key worker."""
    from joinedup.accounts.roles import ConsentKind

    from .queries import key_worker_for

    needs = [n.get_need_display() + (f" ({n.detail})" if n.detail else "") for n in person.communication_needs.all()]
    shares = [k.label for k in ConsentKind if person.has_consent(k.value)]
    kw = key_worker_for(person=person)
    return [
        Carried("In their own words", person.my_story or "Not recorded yet"),
        Carried("Communication needs", "; ".join(needs) or "None recorded"),
        Carried("Agreed to share their record with", "; ".join(shares) or "Nobody outside their GP practice"),
        Carried("Key worker", f"{kw.name} ({kw.role_title}, {kw.organisation.name})" if kw else "None named yet"),
    ]


def latest_onward_referral(person, kind):
    """The MHP's latest referral of this kind for the person (its reason is the reason for the next form)."""
    from joinedup.primarycare.models import OnwardReferral

    return OnwardReferral.objects.filter(person=person, kind=kind).select_related("by").order_by("-id").first()


def peer_support_referral_initial(person) -> tuple[dict, list[Carried]]:
    """The peer support referral form, after the MHP referred the person on: the reason they gave."""
    referral = latest_onward_referral(person, "peer_support")
    if referral is None:
        return {}, []
    who = referral.by.get_full_name() or referral.by.username
    return {"source": "mhp", "reason": referral.reason}, [
        Carried("Referred on by", f"{who}, mental health practitioner, on {format_date(referral.referred_on)}")
    ]


def emdt_request_initial(person) -> tuple[dict, list[Carried]]:
    """The EMDT request form, from an MHP who has assessed the person: the needs and risks they recorded and the
    reason they gave when referring on."""
    from joinedup.primarycare.models import Assessment

    initial, carried = {}, []
    assessment = Assessment.objects.filter(person=person).select_related("assessed_by").order_by("-id").first()
    referral = latest_onward_referral(person, "emdt_request")
    needs = []
    if referral is not None:
        needs.append(referral.reason)
    if assessment is not None:
        from joinedup.primarycare.rules import choices

        # In the value set's order: PostgreSQL's jsonb keeps its own key order, not the order they were written in.
        needs += [
            f"{label}: {assessment.needs[code]}"
            for code, label in choices("need_domains")
            if assessment.needs.get(code)
        ]
        if assessment.risk_summary:
            initial["risks"] = assessment.risk_summary
        who = assessment.assessed_by.get_full_name() or assessment.assessed_by.username
        carried.append(Carried("Assessed by", f"{who} on {format_date(assessment.assessed_on)}"))
        if assessment.what_matters:
            carried.append(Carried("What matters to them (at assessment)", assessment.what_matters))
    if needs:
        initial["complex_needs"] = "\n".join(needs)
    return initial, carried


def discussion_carried_into(draft) -> list[Carried]:
    """The EMDT discussion whose actions are in this draft: the changes to the plan it agreed and the person's
    own words for it, shown on the draft so they are not asked for again."""
    from joinedup.meetings.models import CaseDiscussion

    discussion = (
        CaseDiscussion.objects.filter(actions__plan_actions__version=draft)
        .select_related("item__meeting")
        .order_by("-recorded_at")
        .first()
    )
    if discussion is None:
        return []
    on = format_date(discussion.item.meeting.starts_at)
    carried = [Carried("EMDT discussion", on)]
    if discussion.item.person_words:
        carried.append(Carried("What they wanted from it, in their words", discussion.item.person_words))
    if discussion.plan_changes:
        carried.append(Carried("Changes to the plan agreed there", discussion.plan_changes))
    carried.append(Carried("Actions agreed there", "Already added to this draft: see Who does what by when"))
    return carried
