"""Fixtures this app shares with the whole suite: system clients with their keys, and the URL walk's ids."""

import pytest


@pytest.fixture
def url_arg_resource_id(person):
    return person.pk


@pytest.fixture(scope="session")
def rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key():
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP384R1())


def practice_system(personas, practice, name: str, scopes: str, **keys):
    """A practice's system registered by the administrator, acting as GP practice staff in the practice's teams."""
    from joinedup.accounts.roles import Role
    from joinedup.directory.models import Organisation
    from joinedup.fhir.services import system_client_register
    from joinedup.fhir.tests.helpers import jwks_of

    return system_client_register(
        by=personas.administrator,
        organisation=Organisation.objects.get(code=practice.ods_code),
        name=name,
        role=Role.GP_PRACTICE_STAFF,
        jwks=jwks_of(**keys),
        scopes=scopes,
    )


@pytest.fixture
def practice_client(personas, practice, rsa_key, ec_key):
    """The Blackpool practice's own system: GP practice staff in the practice team; reads of everything but the
    audit trail."""
    from joinedup.fhir.tests.helpers import ALL_READS

    return practice_system(personas, practice, "Blackpool practice clinical system", ALL_READS, rsa=rsa_key, ec=ec_key)


@pytest.fixture
def far_practice_client(personas, far_practice, rsa_key):
    """A Furness practice's system: it must see none of the Blackpool people."""
    from joinedup.fhir.tests.helpers import ALL_READS

    return practice_system(personas, far_practice, "Furness practice clinical system", ALL_READS, rsa=rsa_key)


@pytest.fixture
def url_arg_version_id(agreed_plan):
    return agreed_plan.number


@pytest.fixture
def ig_client(personas, rsa_key):
    """Information governance's own system: reads the audit trail, no records."""
    from joinedup.accounts.roles import Role
    from joinedup.fhir.services import system_client_register
    from joinedup.fhir.tests.helpers import jwks_of

    return system_client_register(
        by=personas.administrator,
        organisation=personas.ig_lead.primary_organisation,
        name="IG audit review",
        role=Role.IG_LEAD,
        jwks=jwks_of(rsa=rsa_key),
        scopes="system/AuditEvent.read",
    )


@pytest.fixture
def ig_token(ig_client):
    from joinedup.fhir.tests.helpers import bearer

    return bearer(ig_client, "system/AuditEvent.read")


WRITES = "system/Patient.write system/Observation.write"


@pytest.fixture
def writer_client(personas, practice, rsa_key):
    """The Blackpool practice's system allowed to send patients and health check results as well as read."""
    from joinedup.fhir.tests.helpers import ALL_READS

    return practice_system(
        personas, practice, "Blackpool practice system (writes)", f"{ALL_READS} {WRITES}", rsa=rsa_key
    )


@pytest.fixture
def write_token(writer_client):
    from joinedup.fhir.tests.helpers import ALL_READS, bearer

    return bearer(writer_client, f"{ALL_READS} {WRITES}")


@pytest.fixture
def url_arg_job_id():
    return "ex-0"


@pytest.fixture
def url_arg_group_id():
    return "register-1"


@pytest.fixture
def url_arg_name():
    return "Patient.ndjson"
