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


@pytest.fixture
def practice_client(personas, practice, rsa_key, ec_key):
    """The Blackpool practice's own system: GP practice staff in the practice team; reads of patients, the
    directory, health check observations and SMI register conditions."""
    from joinedup.accounts.roles import Role
    from joinedup.directory.models import Organisation
    from joinedup.fhir.services import system_client_register
    from joinedup.fhir.tests.helpers import ALL_READS, jwks_of

    return system_client_register(
        by=personas.administrator,
        organisation=Organisation.objects.get(code=practice.ods_code),
        name="Blackpool practice clinical system",
        role=Role.GP_PRACTICE_STAFF,
        jwks=jwks_of(rsa=rsa_key, ec=ec_key),
        scopes=ALL_READS,
    )


@pytest.fixture
def far_practice_client(personas, far_practice, rsa_key):
    """A Furness practice's system: it must see none of the Blackpool people."""
    from joinedup.accounts.roles import Role
    from joinedup.directory.models import Organisation
    from joinedup.fhir.services import system_client_register
    from joinedup.fhir.tests.helpers import ALL_READS, jwks_of

    return system_client_register(
        by=personas.administrator,
        organisation=Organisation.objects.get(code=far_practice.ods_code),
        name="Furness practice clinical system",
        role=Role.GP_PRACTICE_STAFF,
        jwks=jwks_of(rsa=rsa_key),
        scopes=ALL_READS,
    )
