"""One local OpenID Connect provider standing in for both NHS login and NHS CIS2 (demo and tests only).

It behaves like those providers on the points the relying parties depend on: authorisation code flow with PKCE
(S256, required), ``private_key_jwt`` client authentication checked against the client's registered JWKS, ID tokens
signed RS512 with iss, aud, exp, iat, nonce, and the NHS login (``nhs_number``, ``birthdate``,
``identity_proofing_level``, ``vot`` from the requested ``vtr``) or CIS2 (``uid``, ``authentication_assurance_level``)
claims. Identities and clients come from JSON files (see docs/portal.md), so it holds no project knowledge.

Run: ``python -m standins.oidc --port 9000 --config var/oidc-standin.json``.
In tests: ``standins.oidc.testing.running_provider(...)`` or the fixture in ``standins/oidc/testing.py``.
"""

from .server import Provider, ProviderConfig, serve  # noqa: F401
