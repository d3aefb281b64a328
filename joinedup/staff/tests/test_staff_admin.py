"""Joiners, movers and leavers, from the administrator's side (CSRF enforced), and the attacks on it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from joinedup.accounts.models import Membership, User
from joinedup.accounts.roles import Role
from joinedup.accounts.tests.helpers import form_fields, sign_in_with_csrf, submit
from joinedup.core.models import AuditEvent
from joinedup.directory.models import Organisation, Team, TeamKind
from joinedup.staff import services
from joinedup.staff.services import ChangedMeanwhile

pytestmark = pytest.mark.django_db


def _cmht(locality="blackpool"):
    return Team.objects.get(code=f"cmht-{locality}")


def _outside_team():
    return Team.objects.filter(kind=TeamKind.PARTNER, organisation__kind="vcfse").order_by("code").first()


def _join(by, username="new.starter", team=None, role=Role.KEY_WORKER, **extra):
    return services.staff_join(
        by=by, username=username, first_name="Nia", last_name="Starter", team=team or _cmht(), role=role,
        reason="Started in the Blackpool CMHT", **extra,
    )  # fmt: skip


def test_administrator_adds_a_starter_through_the_page_and_it_is_audited_with_the_reason(personas):
    client = sign_in_with_csrf("test.administrator")
    page = client.get("/staff/new/").content.decode()
    fields = form_fields(page, 'name="username"')
    team = _cmht()
    response = client.post(
        "/staff/new/",
        fields
        | {
            "first_name": "Nia",
            "last_name": "Starter",
            "username": "nia.starter",
            "team": str(team.pk),
            "role": Role.KEY_WORKER,
            "reason": "New key worker, ticket 42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="nia.starter")
    assert [(m.team, m.role, m.started) for m in user.memberships.all()] == [
        (team, Role.KEY_WORKER, timezone.localdate())
    ]
    event = AuditEvent.objects.filter(object_id=str(user.pk), what__startswith="staff account").get()
    assert "ticket 42" in event.reason and event.user == personas.administrator


def test_a_change_without_a_reason_is_refused(personas):
    client = sign_in_with_csrf("test.administrator")
    response = submit(
        client, "/staff/new/", {"first_name": "A", "last_name": "B", "username": "a.b"}, 'name="username"'
    )
    assert response.status_code == 200
    assert "Enter the reason for the change" in response.content.decode()
    assert not User.objects.filter(username="a.b").exists()


def test_granting_a_team_outside_their_organisation_is_refused_by_the_page_and_the_service(personas):
    outside = _outside_team()
    client = sign_in_with_csrf("test.administrator")
    target = personas.key_worker
    url = f"/staff/{target.pk}/add-role/"
    response = submit(client, url, {"team": str(outside.pk), "role": Role.PARTNER_PROFESSIONAL, "reason": "try"})
    assert response.status_code == 200
    assert "Select a team in an organisation you administer" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            by=personas.administrator, user=target, version=target.version, team=outside,
            role=Role.PARTNER_PROFESSIONAL, reason="try",
        )  # fmt: skip
    assert not Membership.objects.filter(user=target, team=outside).exists()


def test_an_administrator_cannot_make_themself_an_ig_lead(personas):
    admin = personas.administrator
    team = admin.primary_membership.team
    with pytest.raises(PermissionDenied):
        services.membership_grant(by=admin, user=admin, version=admin.version, team=team, role=Role.IG_LEAD, reason="x")
    client = sign_in_with_csrf("test.administrator")
    response = client.get(f"/staff/{admin.pk}/add-role/")
    assert response.status_code == 200  # the page opens; sending it is refused
    fields = form_fields(response.content.decode(), 'name="reason"')
    response = client.post(
        f"/staff/{admin.pk}/add-role/", fields | {"team": str(team.pk), "role": Role.IG_LEAD, "reason": "me"}
    )
    assert response.status_code == 403
    assert Role.IG_LEAD not in User.objects.get(pk=admin.pk).roles


def test_an_administrator_cannot_see_or_change_staff_of_another_organisation(personas):
    client = sign_in_with_csrf("test.administrator")
    assert client.get(f"/staff/{personas.partner_professional.pk}/").status_code == 404
    assert client.get(f"/staff/{personas.key_worker.pk}/").status_code == 200
    names = client.get("/staff/").content.decode()
    assert "test.partner_professional" not in names and "test.key_worker" in names


def test_an_icb_wide_administrator_runs_every_organisation(personas):
    icb_team = Team.objects.get(code="icb-commissioning")
    other = Team.objects.get(code="lscft-administration")
    icb_admin = _join(personas.administrator, username="icb.admin", team=other, role=Role.ADMINISTRATOR)
    assert services.scope.is_icb_wide(icb_admin) is False
    services.membership_grant(
        by=personas.administrator, user=icb_admin, version=icb_admin.version, team=other, role=Role.COMMISSIONER,
        reason="x",
    )  # fmt: skip
    # Only an administrator who may run the ICB can make an ICB-wide one: here, through the service as the ICB would.
    Membership.objects.create(user=icb_admin, team=icb_team, role=Role.ADMINISTRATOR)
    icb_admin = User.objects.get(pk=icb_admin.pk)
    assert services.scope.is_icb_wide(icb_admin)
    m = services.membership_grant(
        by=icb_admin, user=personas.partner_professional, version=0, team=_outside_team(), role=Role.VOLUNTEER,
        reason="Also volunteers",
    )  # fmt: skip
    assert m.pk


def test_two_administrators_changing_the_same_account_the_later_is_told_and_nothing_is_lost(personas):
    second_admin = _join(personas.administrator, username="second.admin", role=Role.ADMINISTRATOR,
                         team=personas.administrator.primary_membership.team)  # fmt: skip
    second_admin.set_password("correct horse battery")
    second_admin.save()
    target = personas.key_worker
    first = sign_in_with_csrf("test.administrator")
    second = sign_in_with_csrf("second.admin", Client(enforce_csrf_checks=True))
    url = f"/staff/{target.pk}/add-role/"
    first_fields = form_fields(first.get(url).content.decode(), 'name="reason"')
    second_fields = form_fields(second.get(url).content.decode(), 'name="reason"')
    emdt = Team.objects.get(code="emdt-blackpool")
    response = first.post(url, first_fields | {"team": str(emdt.pk), "role": Role.EMDT_COORDINATOR, "reason": "one"})
    assert response.status_code == 302
    pcn = personas.mhp.primary_membership.team
    response = second.post(url, second_fields | {"team": str(pcn.pk), "role": Role.MHP, "reason": "two"})
    assert response.status_code == 200
    assert "Another administrator changed this account" in response.content.decode()
    roles = set(Membership.objects.filter(user=target, ended__isnull=True).values_list("role", flat=True))
    assert roles == {Role.KEY_WORKER, Role.EMDT_COORDINATOR}
    # The later one, told, opens the page again and makes their change: now it goes in.
    response = submit(second, url, {"team": str(pcn.pk), "role": Role.MHP, "reason": "two"}, 'name="reason"')
    assert response.status_code == 302
    with pytest.raises(ChangedMeanwhile):
        services.account_end(by=personas.administrator, user=target, version=0, reason="stale")


def test_moving_between_teams_ends_the_old_membership_and_starts_the_new_one_today(personas):
    target = personas.key_worker
    old = target.primary_membership
    moved = services.staff_move(
        by=personas.administrator, user=target, version=target.version, membership_id=old.pk,
        to_team=_cmht("wyre"), reason="Moved to Wyre",
    )  # fmt: skip
    old.refresh_from_db()
    assert old.ended == timezone.localdate() and moved.started == timezone.localdate()
    assert [m.team.code for m in User.objects.get(pk=target.pk).active_memberships] == ["cmht-wyre"]


def test_ending_a_leavers_account_ends_their_session_at_once_and_lists_their_people_and_tasks(personas, person):
    leaver = personas.community_clinician  # key worker of `person`
    leaver_browser = sign_in_with_csrf("test.community_clinician")
    assert leaver_browser.get("/people/").status_code == 200
    services.account_end(by=personas.administrator, user=leaver, version=leaver.version, reason="Left the trust")
    response = leaver_browser.get("/people/")
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    leaver.refresh_from_db()
    assert not leaver.is_active and not leaver.has_usable_password()
    assert not Membership.objects.filter(user=leaver, ended__isnull=True).exists()

    admin = sign_in_with_csrf("test.administrator")
    page = admin.get(f"/staff/{leaver.pk}/").content.decode()
    assert "Zoë Ashworth" in page and "Hand their people to a new key worker" in page
    assert "Zoë Ashworth" in admin.get("/staff/without-key-worker/").content.decode()


def test_handing_a_leavers_people_to_a_new_key_worker_uses_key_working(personas, person):
    from joinedup.care.queries import key_worker_for

    leaver = personas.community_clinician
    services.account_end(by=personas.administrator, user=leaver, version=leaver.version, reason="Left")
    admin = sign_in_with_csrf("test.administrator")
    new = personas.key_worker
    response = submit(
        admin,
        f"/staff/{leaver.pk}/hand-over/",
        {"people": str(person.pk), "to_user": str(new.pk), "reason": "Caseload shared out", "handover_note": "Hi"},
        'name="reason"',
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert key_worker_for(person=person).user == new
    assert "Nobody: everyone has a key worker" in admin.get("/staff/without-key-worker/").content.decode()


def test_an_administrator_cannot_name_key_workers_for_people_whose_key_worker_is_still_here(personas, person):
    from joinedup.care.services import key_worker_assign
    from joinedup.people.services import NotAllowed

    with pytest.raises((NotAllowed, PermissionDenied)):
        key_worker_assign(by=personas.administrator, person=person, user=personas.key_worker, reason="x",
                          handover_note="y")  # fmt: skip


def test_second_factor_reset_and_unlock_are_audited(personas):
    from axes.models import AccessAttempt

    target = personas.key_worker
    AccessAttempt.objects.create(username=target.username, ip_address="127.0.0.1", user_agent="x", get_data="",
                                 post_data="", failures_since_start=9, http_accept="", path_info="/")  # fmt: skip
    assert services.is_locked_out(target)
    admin = sign_in_with_csrf("test.administrator")
    response = submit(admin, f"/staff/{target.pk}/unlock/", {"reason": "Phoned, identity checked"}, 'name="reason"')
    assert response.status_code == 302 and not services.is_locked_out(target)
    response = submit(admin, f"/staff/{target.pk}/second-factor/", {"reason": "New phone"}, 'name="reason"')
    assert response.status_code == 200 and "Second factor reset" in response.content.decode()
    whats = set(AuditEvent.objects.filter(object_id=str(target.pk)).values_list("what", flat=True))
    assert {"staff account: unlocked", "staff account: second factor reset"} <= whats


def test_pages_are_never_stored_by_the_browser(personas):
    client = sign_in_with_csrf("test.administrator")
    assert "no-store" in client.get("/staff/")["Cache-Control"]
    assert "no-store" in client.get("/")["Cache-Control"]


def test_access_review_ends_unused_accounts_and_memberships_past_their_end_date_and_says_so(personas):
    from joinedup.core.schedule import run_due
    from joinedup.inbox.models import InboxItem

    now = timezone.now()
    idle = personas.volunteer
    User.objects.filter(pk=idle.pk).update(last_login=now - dt.timedelta(days=91))
    for user in User.objects.exclude(pk=idle.pk):
        User.objects.filter(pk=user.pk).update(last_login=now)
    fixed_term = personas.key_worker
    extra = services.membership_grant(
        by=personas.administrator, user=fixed_term, version=fixed_term.version, team=_cmht("wyre"),
        role=Role.KEY_WORKER, reason="Secondment", ends_on=timezone.localdate(),
    )  # fmt: skip
    Membership.objects.filter(pk=extra.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))

    ig = sign_in_with_csrf("test.ig_lead")
    page = ig.get("/staff/access-review/").content.decode()
    assert "test.volunteer" in page and "Wyre" in page

    assert run_due(now, only="staff.access_review") == {"staff.access_review": "ran"}
    assert not User.objects.get(pk=idle.pk).is_active
    extra.refresh_from_db()
    assert extra.ended is not None and User.objects.get(pk=fixed_term.pk).is_active
    told = " ".join(InboxItem.objects.filter(kind="access_review").values_list("why", flat=True))
    assert "account" in told and "Key worker" in told
    assert AuditEvent.objects.filter(user=None, what="staff account: account ended", object_id=str(idle.pk)).exists()
    # Safe to run again: nothing more to end.
    done = services.access_review_run(now=now)
    assert done == {"accounts": [], "memberships": []}


def test_a_leaver_working_for_two_organisations_is_not_ended_by_one_administrator(personas):
    target = personas.key_worker
    Membership.objects.create(user=target, team=_outside_team(), role=Role.VOLUNTEER)
    with pytest.raises(Exception, match="They also work for"):
        services.account_end(by=personas.administrator, user=target, version=target.version, reason="Left")
    assert User.objects.get(pk=target.pk).is_active
    assert Organisation.objects.exists()


def test_the_access_review_leaves_fhir_system_clients_alone(practice_client):
    user_id = practice_client.user_id
    User.objects.filter(pk=user_id).update(date_joined=timezone.now() - dt.timedelta(days=200), last_login=None)
    assert user_id not in set(services.unused_accounts().values_list("pk", flat=True))


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_staff_list_and_a_members_page_take_a_fixed_number_of_queries(personas):
    client = sign_in_with_csrf("test.administrator")
    target = personas.key_worker
    few_staff, few_teams = _queries(client, "/staff/"), _queries(client, f"/staff/{target.pk}/")
    for n in range(12):
        _join(personas.administrator, username=f"extra.{n}")
    for team in Team.objects.filter(kind=TeamKind.COMMUNITY_MENTAL_HEALTH).exclude(pk=_cmht().pk)[:6]:
        Membership.objects.create(user=target, team=team, role=Role.KEY_WORKER)
    assert _queries(client, "/staff/") == few_staff
    assert _queries(client, f"/staff/{target.pk}/") == few_teams
