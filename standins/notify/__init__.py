"""A local stand-in for GOV.UK Notify (no official local Notify exists), for the demo and the tests only: never
installed in production (setuptools packages only `joinedup*`), listening on 127.0.0.1 only.

It checks what Notify checks: the API key's token (a JWT signed HS256 with the key's secret part, `iss` the
service id, `iat` within 30 seconds of now) and each request body (template id known and of the right type, every
((placeholder)) given, a UK mobile number, an email address, a precompiled letter's PDF with a 3 to 7 line address
ending in a UK postcode in the address block, at most 10 pages). It keeps what was sent, answers lookups by
reference, and posts delivery callbacks with a bearer token. Notify's simulated recipients fail as Notify's do:
07700900002 and perm-fail@simulator.notify permanently, 07700900003 and temp-fail@simulator.notify temporarily.
"""

from .server import NotifyStandIn, api_key_for

__all__ = ["NotifyStandIn", "api_key_for"]
