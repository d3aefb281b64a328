"""The local rules of the primary care mental health service, kept where a clinical safety officer can review them.

Limits are Django settings (set them in the environment's settings; the defaults are here). Coded values are the
CSV files in data/ (their README names each source).
"""

from pathlib import Path

from django.conf import settings

from joinedup.core.valuesets import value_set as core_value_set
from joinedup.core.valuesets import value_set_choices

DATA = Path(__file__).parent / "data"

# A short-term intervention: after this many sessions the practitioner is warned, and a further session needs a
# recorded reason. A local choice (PCN MHP services typically offer up to about six sessions).
DEFAULT_SESSION_LIMIT = 6
# How many people one MHP may hold open on their caseload at once. A local choice.
DEFAULT_CASELOAD_LIMIT = 60


def session_limit() -> int:
    return int(getattr(settings, "PRIMARY_CARE_SESSION_LIMIT", DEFAULT_SESSION_LIMIT))


def caseload_limit() -> int:
    return int(getattr(settings, "PRIMARY_CARE_CASELOAD_LIMIT", DEFAULT_CASELOAD_LIMIT))


def value_set(name: str) -> tuple[dict[str, str], ...]:
    return core_value_set(name, DATA)


def choices(name: str) -> list[tuple[str, str]]:
    return value_set_choices(name, DATA)


def label(name: str, code: str) -> str:
    return {row["code"]: row["label"] for row in value_set(name)}.get(code, code)
