"""SMART system scopes: `system/Patient.read`, `system/*.read`, or SMART v2's `system/Patient.rs`.

A scope names a resource type (or `*`) and what it allows: read (r), search (s), create (c), update (u),
delete (d). SMART v1's `read` is `rs`, `write` is `cud`, and `*` is all five.
"""

import re
from dataclasses import dataclass

SCOPE = re.compile(r"^system/(?P<type>\*|[A-Z][A-Za-z]{1,63})\.(?P<what>read|write|\*|c?r?u?d?s?)$")
V1 = {"read": "rs", "write": "cud", "*": "cruds"}


class ScopeError(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    resource_type: str
    allows: frozenset[str]
    text: str


def parse_scopes(text: str) -> list[Scope]:
    """Every scope in a space-separated list; ScopeError names the first that is not a system scope."""
    scopes = []
    for word in (text or "").split():
        match = SCOPE.match(word)
        if not match or not match["what"]:
            raise ScopeError(f"{word!r} is not a system scope such as system/Patient.read")
        what = V1.get(match["what"], match["what"])
        scopes.append(Scope(match["type"], frozenset(what), word))
    return scopes


def allowed(scopes: list[Scope], resource_type: str, interaction: str) -> bool:
    """interaction is one of c, r, u, d, s."""
    return any(s.resource_type in ("*", resource_type) and interaction in s.allows for s in scopes)


def covered(asked: list[Scope], granted: list[Scope]) -> bool:
    """Whether everything asked for lies within what was granted."""
    return all(
        all(allowed(granted, a.resource_type, letter) for letter in a.allows)
        if a.resource_type != "*"
        else all(any(g.resource_type == "*" and letter in g.allows for g in granted) for letter in a.allows)
        for a in asked
    )
