"""What the key working and care plan pages show: plan sections as lines, two versions compared, the
caseload's plan status, outcome scores paired first and latest, and the points of the small charts."""

import difflib
import re

from django.utils import timezone

from joinedup.core.dates import format_date

from .models import LevelOfCare, NeedDomain, Participation, PlanSection
from .outcomes import dialog_items, dialog_scores, line_chart

COMPARED_SECTIONS = [s for s in PlanSection if s != PlanSection.OUTCOMES]


def owner_label(action, person_name="The person"):
    return person_name if action.owner_is_person else action.owner_organisation.name


def section_lines(version, section, *, person_name="Me") -> list[str]:
    """One section of a version as lines of plain text: what the comparison and the print copy use."""
    if section == PlanSection.WHAT_MATTERS:
        return version.what_matters.splitlines()
    if section == PlanSection.STRENGTHS:
        return version.strengths.splitlines()
    if section == PlanSection.GOALS:
        return [f"{i}. {g.words}" for i, g in enumerate(version.goals.all(), 1)]
    if section == PlanSection.NEEDS:
        return [f"{NeedDomain(d).label}: {version.needs[d]}" for d in NeedDomain.values if version.needs.get(d)]
    if section == PlanSection.ACTIONS:
        return [
            f"{a.description} ({owner_label(a, person_name)}, by {format_date(a.due)})" for a in version.actions.all()
        ]
    if section == PlanSection.STAYING_WELL:
        lines = []
        for label, text in (
            ("Early signs", version.early_signs),
            ("What helps", version.what_helps),
            ("Who to contact", version.crisis_contacts),
            ("Out of hours", version.out_of_hours),
        ):
            if text:
                lines.append(f"{label}: {text}")
        return lines
    return []


_WORD = re.compile(r"\S+")


def _words(line):
    return _WORD.findall(line)


def _join(words, marked, out):
    """Append words to a line's segments, joining neighbours of the same kind."""
    if not words:
        return
    text = " ".join(words)
    if out and out[-1]["marked"] == marked:
        out[-1]["text"] += " " + text
    else:
        out.append({"text": text, "marked": marked})


def _diff_line(a, b):
    """Word by word within one changed line: (left segments, right segments)."""
    wa, wb = _words(a), _words(b)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=wa, b=wb, autojunk=False).get_opcodes():
        _join(wa[i1:i2], op != "equal", left)
        _join(wb[j1:j2], op != "equal", right)
    return left, right


def _diff_lines(a_lines, b_lines):
    """Line by line first (cheap for long sections such as 100 actions), then word by word inside the lines
    that changed. Returns (left, right): lists of lines, each a list of {"text", "marked"} segments."""
    left, right = [], []
    matcher = difflib.SequenceMatcher(a=a_lines, b=b_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.extend([{"text": line, "marked": False}] for line in a_lines[i1:i2])
            right.extend([{"text": line, "marked": False}] for line in b_lines[j1:j2])
            continue
        old, new = a_lines[i1:i2], b_lines[j1:j2]
        for k in range(max(len(old), len(new))):
            if k < len(old) and k < len(new):
                segs_left, segs_right = _diff_line(old[k], new[k])
                left.append(segs_left)
                right.append(segs_right)
            elif k < len(old):
                left.append([{"text": old[k], "marked": True}])
            else:
                right.append([{"text": new[k], "marked": True}])
    return left, right


def compare_versions(earlier, later, *, shown, person_name="The person") -> list[dict]:
    """Each section side by side: the earlier text with removed words marked, the later with added words
    marked (difflib: line by line, then word by word within changed lines)."""
    rows = []
    for section in COMPARED_SECTIONS:
        if section.value not in shown:
            continue
        a = section_lines(earlier, section, person_name=person_name)
        b = section_lines(later, section, person_name=person_name)
        left, right = _diff_lines(a, b)
        rows.append({"title": section.label, "changed": a != b, "left": left, "right": right})
    va, vb = format_date(earlier.review_date), format_date(later.review_date)
    rows.append(
        {
            "title": "Review date",
            "changed": va != vb,
            "left": [[{"text": va, "marked": va != vb}]],
            "right": [[{"text": vb, "marked": va != vb}]],
        }
    )
    return rows


class VersionPresenter:
    """A version for one viewer: `shown` is the sections they may see. An organisation that owns an action
    always sees that action (`own_organisations`), even when the actions section is not shared with it:
    it cannot do the action otherwise, and it is in its members' task lists."""

    def __init__(self, version, *, shown, person_name="The person", own_organisations=frozenset(), may_mark=None):
        self.v = version
        self.shown = shown
        self.person_name = person_name
        self.own_organisations = own_organisations
        # A test on an action: may this viewer mark it as done (services.may_mark_done)? None: no one here.
        self.may_mark = may_mark

    def __getattr__(self, name):
        return getattr(self.v, name)

    def _visible_actions(self):
        actions = list(self.v.actions.all())
        if PlanSection.ACTIONS in self.shown:
            return actions
        return [a for a in actions if a.owner_organisation_id in self.own_organisations]

    def shows(self, section):
        if section == PlanSection.ACTIONS and section not in self.shown:
            return bool(self._visible_actions())
        return section in self.shown

    @property
    def hidden_sections(self):
        return [s.label for s in PlanSection if s.value not in self.shown]

    @property
    def status_tag(self):
        if self.v.is_agreed:
            return {"text": "Agreed", "classes": "nhsuk-tag--green"}
        return {"text": "Draft", "classes": "nhsuk-tag--yellow"}

    @property
    def needs_rows(self):
        return [(NeedDomain(d).label, self.v.needs[d]) for d in NeedDomain.values if self.v.needs.get(d)]

    @property
    def actions(self):
        """Each action the viewer may see. `done_on` (a date) when it has been done: needs the actions loaded
        with_completion() (queries.plan_version_for), else every action reads as open. `markable`: this viewer
        may mark it as done now (only in an agreed version, and only while it is open)."""
        today = timezone.localdate()
        rows = []
        for a in self._visible_actions():
            done_at = getattr(a, "done_at", None)
            rows.append(
                {
                    "pk": a.pk,
                    "description": a.description,
                    "owner": owner_label(a, self.person_name),
                    "agreed_at": a.agreed_at,
                    "agreed_at_link": a.agreed_at_link,
                    "due": format_date(a.due),
                    "done_on": timezone.localtime(done_at).date() if done_at else None,
                    "overdue": self.v.is_agreed and a.due < today and not done_at,
                    "markable": bool(
                        self.v.is_agreed and not done_at and self.may_mark is not None and self.may_mark(a)
                    ),
                }
            )
        return rows

    @property
    def review_date_text(self):
        return format_date(self.v.review_date) or "Not set"

    @property
    def review_overdue(self):
        return bool(self.v.is_agreed and self.v.review_date and self.v.review_date < timezone.localdate())

    @property
    def agreement(self):
        v = self.v
        if not v.is_agreed:
            return []
        return [
            ("Agreed on", format_date(v.agreed_on)),
            ("How the person took part", Participation(v.participation).label),
            ("In the person's own words", "Yes" if v.own_words else "No"),
            ("The person's comments", v.person_comments),
            ("Recorded by", v.agreed_by.get_full_name() if v.agreed_by else ""),
        ]


def action_for_viewer(action, *, shown, own_organisations, may_mark, person_name="The person"):
    """One action of the current plan for its own page, or None when this viewer may not see it (the person
    has not shared the actions with their kind of organisation, and the action is not their organisation's).
    Whoever may mark it as done may see it."""
    if not (may_mark or PlanSection.ACTIONS in shown or action.owner_organisation_id in own_organisations):
        return None
    return {
        "description": action.description,
        "owner": owner_label(action, person_name),
        "owner_is_person": action.owner_is_person,
        "due": format_date(action.due),
        "overdue": action.due < timezone.localdate() and not action.done_at,
    }


def plan_status(row) -> dict:
    """The caseload's status tag for one person (annotated by queries.caseload_for)."""
    today = timezone.localdate()
    if row.review_date and row.review_date < today:
        return {"text": "Review overdue", "classes": "nhsuk-tag--red"}
    if row.agreed_number is None:
        return {"text": "Draft, not agreed" if row.has_draft else "No plan", "classes": "nhsuk-tag--orange"}
    if row.has_draft:
        return {"text": "Agreed, new draft in progress", "classes": "nhsuk-tag--blue"}
    return {"text": "Agreed", "classes": "nhsuk-tag--green"}


def level_label(level):
    return LevelOfCare(level).label if level else "Not recorded"


def dialog_summary(assessments) -> dict:
    """Scores over time, a chart of the two mean scores, and each item first and latest paired."""
    rows = []
    for a in assessments:
        scores = dialog_scores({i: r.score for i, r in a.by_item.items()})
        rows.append(
            {
                "date": format_date(a.taken_on),
                "self_completed": a.self_completed,
                "quality_of_life": scores["quality_of_life"],
                "treatment_satisfaction": scores["treatment_satisfaction"],
                "more_help": [dialog_items()[i - 1].domain for i, r in sorted(a.by_item.items()) if r.more_help],
            }
        )
    chart = line_chart(
        [
            {"label": "Quality of life (items 1 to 8)", "points": [(r["date"], r["quality_of_life"]) for r in rows]},
            {
                "label": "Treatment satisfaction (items 9 to 11)",
                "points": [(r["date"], r["treatment_satisfaction"]) for r in rows],
            },
        ],
        y_min=1,
        y_max=7,
    )
    paired = []
    if assessments:
        first, latest = assessments[0], assessments[-1]
        for item in dialog_items():
            f, la = first.by_item.get(item.item), latest.by_item.get(item.item)
            paired.append(
                {
                    "item": item.item,
                    "domain": item.domain,
                    "first": f.score if f else None,
                    "latest": la.score if la else None,
                    "change": (la.score - f.score) if f and la and len(assessments) > 1 else None,
                    "more_help": bool(la and la.more_help),
                }
            )
    suggestions = [p for p in paired if p["more_help"]]
    return {
        "rows": rows,
        "chart": chart,
        "paired": paired,
        "first_date": rows[0]["date"] if rows else "",
        "latest_date": rows[-1]["date"] if rows else "",
        "mean_change": _mean_change(rows),
        "suggestions": suggestions,
    }


def _mean_change(rows):
    if len(rows) < 2:
        return None
    first, latest = rows[0], rows[-1]
    return {
        k: round(latest[k] - first[k], 2) for k in ("quality_of_life", "treatment_satisfaction") if first[k] is not None
    }


def gbo_summary(ratings) -> dict:
    """Per goal: the ratings over time, first and latest paired, and a line on the chart."""
    goals = {}
    for r in ratings:
        g = goals.setdefault(r.goal_key, {"words": r.goal_words, "ratings": []})
        g["words"] = r.goal_words
        g["ratings"].append((format_date(r.rated_on), r.score))
    rows = []
    for g in goals.values():
        first, latest = g["ratings"][0], g["ratings"][-1]
        rows.append(
            {
                "words": g["words"],
                "ratings": g["ratings"],
                "first": first[1],
                "first_date": first[0],
                "latest": latest[1],
                "latest_date": latest[0],
                "change": latest[1] - first[1] if len(g["ratings"]) > 1 else None,
            }
        )
    chart = line_chart(
        [{"label": f"Goal {i}", "points": r["ratings"]} for i, r in enumerate(rows, 1)], y_min=0, y_max=10
    )
    return {"goals": rows, "chart": chart}
