"""Views never query person data directly: they go through the scoped queries (queries.py), which apply the
access policy. This reads every view module and fails on `<PersonModel>.objects` in it."""

import ast
from pathlib import Path

import joinedup

PERSON_MODELS = {
    "Person",
    "CommunicationNeed",
    "ConsentDecision",
    "EmergencyAccess",
    "CareTeamMember",
    "TimelineEntry",
    "AuditEvent",
}
ROOT = Path(joinedup.__file__).parent


def view_modules():
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        if path.name == "views.py" or "views" in path.parts or path.name in {"forms.py", "presenters.py"}:
            yield path


def direct_queries(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in PERSON_MODELS
        ):
            yield f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}"


def test_views_do_not_query_person_models_directly():
    found = [hit for path in view_modules() for hit in direct_queries(path)]
    assert not found, "use the app's queries.py instead:\n" + "\n".join(found)


def test_the_check_would_catch_a_direct_query(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text("def v(request):\n    return Person.objects.all()\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert list(direct_queries(bad))
    finally:
        ROOT = saved
