"""Registering system clients: administrators only, public keys only, and the client acts as its organisation."""

import json

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory

from joinedup.accounts.roles import Role
from joinedup.core.access import visible_people
from joinedup.core.models import AuditEvent
from joinedup.directory.models import Organisation, Team
from joinedup.fhir.services import system_client_register
from joinedup.people.services import NotAllowed

from .helpers import fhir_get, jwks_of

pytestmark = pytest.mark.django_db


def register(by, organisation, jwks, **overrides):
    fields = {
        "by": by,
        "organisation": organisation,
        "name": "Practice clinical system",
        "role": Role.GP_PRACTICE_STAFF,
        "jwks": jwks,
        "scopes": "system/Patient.read",
        **overrides,
    }
    return system_client_register(**fields)


@pytest.fixture
def practice_org(practice):
    return Organisation.objects.get(code=practice.ods_code)


def test_the_client_acts_through_a_service_account_in_its_organisations_teams(practice_client, practice, person):
    account = practice_client.user
    assert {m.team for m in account.active_memberships} == set(
        Team.objects.filter(organisation__code=practice.ods_code)
    )
    assert {m.role for m in account.active_memberships} == {Role.GP_PRACTICE_STAFF}
    assert list(visible_people(account)) == [person]


def test_the_service_account_cannot_sign_in(practice_client):
    assert not practice_client.user.has_usable_password()
    request = RequestFactory().post("/account/sign-in/")
    for password in ("", "correct horse battery", "!"):
        assert authenticate(request, username=practice_client.user.username, password=password) is None


def test_registration_is_audited(practice_client, personas):
    event = AuditEvent.objects.filter(user=personas.administrator, what="FHIR system client").get()
    assert event.object_id == str(practice_client.pk)
    assert "system/Patient.read" in event.reason


@pytest.mark.parametrize("who", ["gp_practice_staff", "ig_lead", "outsider"])
def test_only_an_administrator_may_register_a_client(personas, practice_org, rsa_key, who):
    with pytest.raises(NotAllowed):
        register(getattr(personas, who), practice_org, jwks_of(rsa=rsa_key))


def test_private_keys_are_refused(personas, practice_org, rsa_key):
    jwks = jwks_of(rsa=rsa_key)
    jwks["keys"][0]["d"] = "c2VjcmV0"
    with pytest.raises(ValidationError, match="private"):
        register(personas.administrator, practice_org, jwks)


@pytest.mark.parametrize(
    "jwks",
    [{}, {"keys": []}, {"keys": ["x"]}, {"keys": [{"kty": "oct", "kid": "a", "k": "c2VjcmV0"}]}, [1, 2]],
)
def test_anything_but_a_set_of_public_keys_is_refused(personas, practice_org, jwks):
    with pytest.raises(ValidationError):
        register(personas.administrator, practice_org, jwks)


def test_a_key_without_a_kid_is_refused(personas, practice_org, rsa_key):
    jwks = jwks_of(rsa=rsa_key)
    del jwks["keys"][0]["kid"]
    with pytest.raises(ValidationError, match="kid"):
        register(personas.administrator, practice_org, jwks)


@pytest.mark.parametrize("scopes", ["", "patient/Patient.read", "system/Patient.fly", "openid"])
def test_only_system_scopes_are_granted(personas, practice_org, rsa_key, scopes):
    with pytest.raises(ValidationError):
        register(personas.administrator, practice_org, jwks_of(rsa=rsa_key), scopes=scopes)


def test_teams_must_belong_to_the_organisation(personas, practice_org, far_practice, rsa_key):
    far_team = Team.objects.filter(practice=far_practice).first()
    with pytest.raises(ValidationError, match="belong"):
        register(personas.administrator, practice_org, jwks_of(rsa=rsa_key), teams=[far_team])


def test_the_commands_register_a_client_and_print_a_token_that_reads(
    personas, practice, person, rsa_key, tmp_path, capsys
):
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps(jwks_of(rsa=rsa_key)))
    call_command(
        "fhir_client_register",
        organisation=practice.ods_code,
        name="Practice clinical system",
        role="gp_practice_staff",
        jwks=str(keys),
        scope="system/Patient.read",
        by=personas.administrator.username,
    )
    client_id = capsys.readouterr().out.strip()
    assert client_id.startswith("jc-")
    call_command("fhir_token", organisation=practice.ods_code, scope="system/Patient.read")
    token = capsys.readouterr().out.strip()
    assert fhir_get(Client(), f"/fhir/R4/Patient/{person.pk}", token).status_code == 200


def test_the_token_command_refuses_a_scope_not_granted(practice_client, practice):
    with pytest.raises(CommandError, match="not been granted"):
        call_command("fhir_token", organisation=practice.ods_code, scope="system/Observation.write")


def test_the_token_command_needs_a_client(region):
    with pytest.raises(CommandError, match="No active FHIR system client"):
        call_command("fhir_token", organisation="QE1", scope="system/Patient.read")


def test_the_register_command_refuses_a_non_administrator(personas, practice, rsa_key, tmp_path):
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps(jwks_of(rsa=rsa_key)))
    with pytest.raises(CommandError, match="administrator"):
        call_command(
            "fhir_client_register",
            organisation=practice.ods_code,
            name="x",
            role="gp_practice_staff",
            jwks=str(keys),
            scope="system/Patient.read",
            by=personas.gp_practice_staff.username,
        )


def test_switching_a_client_off_stops_its_tokens_and_assertions_at_once(
    http, practice_client, personas, person, rsa_key
):
    from .helpers import assertion, bearer, token_request

    token = bearer(practice_client)
    call_command(
        "fhir_client_deactivate",
        client=practice_client.client_id,
        reason="Practice changed supplier",
        by=personas.administrator.username,
    )
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token).status_code == 401
    assert token_request(http, assertion(practice_client, rsa_key)).status_code == 401
    event = AuditEvent.objects.filter(what="FHIR system client switched off").get()
    assert (event.user, event.reason) == (personas.administrator, "Practice changed supplier")


def test_only_an_administrator_may_switch_a_client_off(practice_client, personas):
    from joinedup.fhir.services import system_client_deactivate

    with pytest.raises(NotAllowed):
        system_client_deactivate(by=personas.gp_practice_staff, client=practice_client, reason="No")
