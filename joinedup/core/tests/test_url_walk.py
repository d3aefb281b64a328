"""Every URL, every role, no sign-in: each answer must be what the access policy says.

A page must declare what it needs: `person_page(perm, what)` for pages about one person, `requires(perm)`
for other pages, `public` for the few open ones, or `any_signed_in` for the start page. A page that
declares nothing fails this test, so a new page cannot forget the policy. The FHIR API's endpoints are
`token_api` (joinedup/fhir/decorators.py): a bearer token or nothing, so a session alone gets 401.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from joinedup.accounts.roles import Role
from joinedup.core.access import forget, may
from joinedup.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def all_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from all_patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}", prefix + str(p.pattern), p.callback


def declaration(view):
    if getattr(view, "token_authenticated", False):  # the FHIR API (joinedup/fhir/decorators.py)
        return ("token", None)
    if hasattr(view, "portal_page"):  # the person's own pages (joinedup/portal): their own NHS login session
        return ("portal", view.portal_page["helper"])
    if getattr(view, "sign_in_not_required", False):
        return ("public", None)
    if hasattr(view, "person_page"):
        return ("person", view.person_page["perm"])
    if hasattr(view, "person_action"):
        # A person page for a narrower job than reading the record (e.g. record a session): same expectations.
        return ("person_action", view.person_action["perm"])
    if hasattr(view, "required_perm"):
        return ("perm", view.required_perm)
    if getattr(view, "any_signed_in", False):
        return ("signed_in", None)
    if getattr(view, "second_factor_not_required", False):
        return ("signed_in", None)
    return (None, None)


@pytest.fixture
def url_args(request, person):
    """person_id is the `person` fixture; any other <name> comes from a fixture `url_arg_<name>`, which each
    app defines in its tests/fixtures.py."""
    names = {"person_id"}
    for _, route, _ in all_patterns():
        names.update(m.group(2) for m in re.finditer(r"<(\w+:)?(\w+)>", route))
    args = {"person_id": person.pk}
    for name in sorted(names - {"person_id"}):
        args[name] = request.getfixturevalue(f"url_arg_{name}")
    return args


def fill(route, args):
    def value(match):
        name = match.group(2)
        assert name in args, f"the URL walk has no value for <{name}> in {route}: add one to url_args"
        return str(args[name])

    return "/" + re.sub(r"<(\w+:)?(\w+)>", value, route)


def test_every_page_declares_its_access(url_args):
    undeclared = [name for name, route, view in all_patterns() if declaration(view)[0] is None]
    assert not undeclared, f"pages without an access declaration: {undeclared}"


# One test per role, so that the walk (every URL, hundreds of them) spreads over the test workers. The walk runs
# across both regions: `north:` walkers are Northshire's personas (the synthetic second region), for whom the
# Lancashire person and everything about them do not exist (docs/regions.md).
ROLES = [*(str(role) for role in Role), "local_authority", "outsider"]
WALKERS = ["anonymous", *ROLES, *(f"north:{label}" for label in ROLES)]
# Rows that are reference data rather than a region's people, registers or figures: read from any region.
REFERENCE_ROWS = {"peersupport:offer"}  # a community offer in the peer support directory


@pytest.mark.parametrize("label", WALKERS)
def test_every_url_with_every_role_answers_as_the_policy_says(request, client, personas, person, url_args, label):
    if label.startswith("north:"):
        user = request.getfixturevalue("northshire_personas").all()[label.removeprefix("north:")]
    else:
        user = None if label == "anonymous" else personas.all()[label]
    checked = 0
    if user is not None:
        client.force_login(user)
    for name, route, view in all_patterns():
        kind, perm = declaration(view)
        url = fill(route, url_args)
        response = client.get(url)
        if kind == "public":
            expected = {200, 302, 405}
        elif kind == "token":  # a bearer token or nothing: a session never opens the FHIR API
            expected = {401}
        elif kind == "portal":  # the person's own pages: to their sign-in, and never open to a staff account
            expected = {302} if user is None else {403}
        elif user is None:
            expected = {302}
        elif kind == "signed_in":
            expected = {200}
        elif kind == "perm":
            expected = {200} if may(user, perm) else {403}
            names_row = re.search(r"<(\w+:)?(\w+)>", route) and name not in REFERENCE_ROWS
            if expected == {200} and label.startswith("north:") and names_row:
                expected = {404}  # a row of the Lancashire walk (a staff member, a review...): not in their region
        else:  # person page
            forget(user)
            if not may(user, "people.view_record", person) and not may(user, perm, person):
                from joinedup.core.access import visible_people

                expected = {404} if not visible_people(user).filter(pk=person.pk).exists() else {403}
            else:
                expected = {200} if may(user, perm, person) else {403}
        assert response.status_code in expected, (
            f"{label} GET {url} ({name}): {response.status_code}, expected {expected}"
        )
        if user is None and kind == "portal":
            assert response["Location"] == "/my/sign-in/"
        elif user is None and kind not in ("public", "token"):
            assert "/account/sign-in/" in response["Location"]
        checked += 1
    assert checked > 50


def test_outsider_gets_not_found_for_every_person_page_and_each_refusal_is_recorded(client, personas, person, url_args):
    _person_pages_refuse(client, personas.outsider, person, url_args)


def _person_pages_refuse(client, user, person, args):
    """Every person page answers 404 to `user` for `person`, and each refusal is in the audit trail."""
    args = {**args, "person_id": person.pk}
    client.force_login(user)
    for name, route, view in all_patterns():
        if declaration(view)[0] in ("person", "person_action"):
            before = AuditEvent.objects.filter(user=user, action=AuditAction.REFUSED).count()
            assert client.get(fill(route, args)).status_code == 404, f"{user.username} {name}"
            refused = AuditEvent.objects.filter(user=user, action=AuditAction.REFUSED)
            assert refused.count() == before + 1, f"{user.username} {name}: the refusal left no trace"
            assert refused.order_by("-pk").first().object_id == str(person.pk), name


@pytest.mark.parametrize("role", [Role.COMMUNITY_CLINICIAN, Role.GP_PRACTICE_STAFF, Role.IG_LEAD, Role.ADMINISTRATOR])
def test_each_region_gets_not_found_for_every_person_page_of_the_other(
    client, personas, person, northshire_personas, northshire_person, url_args, role
):
    """Across regions, a persona with every relationship in their own region (the community clinician is on both
    people's care teams in their own region) meets a 404, recorded as refused, for the other region's person."""
    _person_pages_refuse(client, northshire_personas.by_role[role], person, url_args)
    _person_pages_refuse(client, personas.by_role[role], northshire_person, url_args)


def test_every_person_page_writes_an_audit_event(client, personas, person, url_args):
    """Reading a person's data always leaves a trace: who, what, when."""
    clinician = personas.community_clinician
    for name, route, view in all_patterns():
        kind, perm = declaration(view)
        if kind not in ("person", "person_action"):
            continue
        user = clinician
        if kind == "person_action":  # signed in as the first persona whose role does this job
            user = next((u for u in personas.all().values() if may(u, perm, person)), None)
            assert user is not None, f"{name}: no persona may use it"
        client.force_login(user)
        before = AuditEvent.objects.filter(person=person, user=user).count()
        response = client.get(fill(route, url_args))
        assert response.status_code == 200, name
        assert AuditEvent.objects.filter(person=person, user=user).count() > before, f"{name} wrote no audit event"
        read = AuditEvent.objects.filter(person=person, user=user, action=AuditAction.VIEW).order_by("-pk").first()
        assert read is not None and read.reason, f"{name}: the read records no reason"


def test_every_url_taking_a_person_is_a_person_page():
    for name, route, view in all_patterns():
        if "<int:person_id>" in route:
            kind = declaration(view)[0]
            assert kind in ("person", "person_action"), f"{name} takes a person but is not a person_page"


def test_every_portal_url_with_the_person_another_person_and_the_carer(
    portal, person, other_person, carer_grant, url_args
):
    """The portal's roles: the person (everything), another person (their own pages work; any URL naming this
    person's rows is 404, refused and recorded), and the carer (only the pages the grant opens; the rest 403)."""
    from joinedup.portal.tests.fixtures import portal_sign_in

    clients = {"person": portal_sign_in("person"), "other": portal_sign_in("other"), "carer": portal_sign_in("carer")}
    checked = 0
    for name, route, view in all_patterns():
        kind, helper = declaration(view)
        if kind != "portal":
            continue
        url = fill(route, url_args)
        names_a_row = re.search(r"<(\w+:)?(\w+)>", route) is not None
        for label, client in clients.items():
            before = AuditEvent.objects.filter(action=AuditAction.REFUSED).count()
            response = client.get(url)
            if label == "person":
                expected = {200}
            elif label == "other":
                expected = {404} if names_a_row else {200, 302}  # 302: their own plan's PDF, when they have none
            else:
                expected = {403} if helper is None or (helper == "act" and not carer_grant.may_act) else {200}
            assert response.status_code in expected, f"{label} GET {url} ({name}): {response.status_code}, {expected}"
            if response.status_code in (403, 404):
                assert AuditEvent.objects.filter(action=AuditAction.REFUSED).count() == before + 1, f"{label} {name}"
                assert "Zoë" not in response.content.decode() or label == "carer"
            checked += 1
    assert checked >= 30
