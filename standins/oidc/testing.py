"""For tests: the provider in a thread on a free port, and a client key pair to register with it.

    from standins.oidc.testing import running_provider, client_keys

    key, jwks = client_keys()
    with running_provider(clients=[{"client_id": "c", "redirect_uris": [...], "jwks": jwks}],
                          identities=[{"id": "p9", "claims": {...}}]) as provider:
        provider.issuer, provider.tamper_next(...), provider.config.add_identity(...)

or as a pytest fixture: ``oidc_provider = pytest.fixture(provider_fixture)`` (module ``standins.oidc.testing``).
"""

from __future__ import annotations

import contextlib

from .server import Provider, ProviderConfig, generate_key, public_jwk, serve


def client_keys(kid: str = "test-client-key"):
    """A fresh client private key and its public JWKS (what the client registers with the provider)."""
    key = generate_key()
    return key, {"keys": [public_jwk(key, kid)]}


@contextlib.contextmanager
def running_provider(clients=(), identities=()):
    config = ProviderConfig()
    for client in clients:
        client = dict(client)
        config.add_client(client.pop("client_id"), client.pop("redirect_uris"), **client)
    for identity in identities:
        identity = dict(identity)
        config.add_identity(identity.pop("id"), identity.pop("claims", {}), **identity)
    server = serve(config)
    try:
        yield server.provider
    finally:
        server.shutdown()
        server.server_close()


def provider_fixture():
    """Body of a pytest fixture: an empty provider; add clients and identities through provider.config."""
    with running_provider() as provider:
        yield provider


__all__ = ["Provider", "client_keys", "running_provider", "provider_fixture"]
