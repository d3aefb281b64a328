import json

import pytest
from django.core.management import call_command

from joinedup.people.models import Person
from joinedup.portal.models import HelperGrant

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_three_people_and_a_carer_sign_ins_at_the_stand_in(region, settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    settings.PORTAL_OIDC_PRIVATE_KEY_FILE = str(tmp_path / "portal-oidc-client.pem")
    call_command("seed_demo", people=60, seed=11)
    config = json.loads((tmp_path / "oidc-standin.json").read_text())
    ids = [i["id"] for i in config["identities"]]
    assert len([i for i in ids if i.startswith("person-")]) == 3 and "carer" in ids and "not-proven" in ids
    for identity in config["identities"]:
        claims = identity["claims"]
        assert claims["nhs_number"].startswith("999")
        if identity["id"].startswith("person-"):
            person = Person.objects.get(pk=int(identity["id"].split("-")[1]))
            assert person.nhs_number == claims["nhs_number"] and person.date_of_birth.isoformat() == claims["birthdate"]
    assert config["clients"][0]["jwks_file"].endswith(".jwks.json")
    grant = HelperGrant.objects.get()
    assert grant.is_active() and grant.may_act
    capsys.readouterr()
    call_command("portal_demo_sign_ins")
    printed = capsys.readouterr().out
    assert "/my/" in printed and "carer" in printed and "person-" in printed
