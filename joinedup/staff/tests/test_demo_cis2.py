"""seed_demo marks the NHS personas as CIS2 users and tells the stand-in provider about them."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_nhs_personas_are_cis2_users_and_the_stand_in_knows_them(region, settings, tmp_path, capsys):
    from joinedup.demo.personas import CIS2_STANDIN_FILE, create_personas, find_places

    settings.VAR_DIR = tmp_path
    made = create_personas(find_places())
    nurse, partner = made.users["community_clinician"], made.users["partner_professional"]
    assert nurse.cis2_uid and not partner.cis2_uid
    config = json.loads((tmp_path / CIS2_STANDIN_FILE).read_text())
    assert config["clients"][0]["client_id"] == settings.CIS2_OIDC_CLIENT_ID
    assert {"uid": nurse.cis2_uid}.items() <= next(i for i in config["identities"] if i["id"] == nurse.username)[
        "claims"
    ].items()
    call_command("demo_sign_ins")
    assert "Sign in with NHS CIS2" in capsys.readouterr().out
