"""`x.get_<field>_display()` exists only for a model field with choices. In a template a call to one that does not
exist fails only when the page is rendered in the state that reaches it (a discussion that changed the level of
care answered 500 on its page and its GP summary). This reads every template and fails for any such call whose
field has choices on no model, so the suite fails rather than a page in production.

Templates do not say which model a variable holds, so a name that some models give choices and others do not
(`kind`, `action`) passes here; the pages' own tests render those.
"""

import re
from pathlib import Path

from django.apps import apps

import joinedup

DISPLAY_CALL = re.compile(r"\bget_(\w+?)_display\s*\(")
ROOT = Path(joinedup.__file__).resolve().parent


def names_with_choices() -> set[str]:
    return {f.name for model in apps.get_models() for f in model._meta.concrete_fields if f.choices}


def display_calls_without_choices(text: str, with_choices: set[str]) -> list[tuple[int, str]]:
    return [
        (number, name)
        for number, line in enumerate(text.splitlines(), start=1)
        for name in DISPLAY_CALL.findall(line)
        if name not in with_choices
    ]


def test_every_display_call_in_a_template_is_on_a_field_with_choices():
    with_choices = names_with_choices()
    templates = sorted(ROOT.rglob("*.jinja"))
    assert len(templates) > 50
    problems = [
        f"{template.relative_to(ROOT)}:{number}: get_{name}_display() but no model field {name!r} has choices"
        for template in templates
        for number, name in display_calls_without_choices(template.read_text(encoding="utf-8"), with_choices)
    ]
    assert not problems, "display methods that do not exist:\n" + "\n".join(problems)


def test_the_scan_finds_a_display_call_on_a_field_without_choices():
    template = "{{ d.get_took_part_display() }} {{ d.get_summary_for_gp_display() }}\n{{ x.get_nothing_display() }}"
    assert display_calls_without_choices(template, names_with_choices()) == [(1, "summary_for_gp"), (2, "nothing")]


def test_the_level_of_care_a_discussion_moved_to_has_its_labels():
    from joinedup.care.models import LevelOfCare
    from joinedup.meetings.models import CaseDiscussion

    assert CaseDiscussion._meta.get_field("level_of_care").choices == LevelOfCare.choices
