from django import forms
from django.core.exceptions import ValidationError

from joinedup.accounts.roles import ConsentKind
from joinedup.core.validators import validate_phone
from joinedup.nhsuk_forms.fields import NhsDateField, NhsForm

from .models import LevelOfCare, NeedDomain, Participation, PlanSection
from .outcomes import DIALOG_SCALE_LABELS, dialog_items


class CareTeamMemberForm(NhsForm):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the name"})
    role_title = forms.CharField(
        label="Role",
        max_length=120,
        help_text="For example housing support officer",
        error_messages={"required": "Enter their role"},
    )
    organisation = forms.ChoiceField(
        label="Organisation",
        choices=[],
        error_messages={
            "required": "Select their organisation",
            "invalid_choice": "Select an organisation from the list",
        },
    )
    phone = forms.CharField(label="Phone number (optional)", max_length=30, required=False, validators=[validate_phone])
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address in the right format, like name@example.com"},
    )
    is_key_worker = forms.BooleanField(label="This person is the key worker", required=False)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.pk): o for o in organisations}
        self.fields["organisation"].choices = [("", "Select an organisation")] + [
            (str(o.pk), o.name) for o in organisations
        ]

    def clean_organisation(self):
        org = self._organisations.get(self.cleaned_data["organisation"])
        if org is None:
            raise ValidationError("Select an organisation from the list")
        return org


class EndMembershipForm(NhsForm):
    reason = forms.CharField(label="Reason (optional)", max_length=300, required=False)


# --- Key workers, plans and outcome measures ---------------------------------------------------------------

YES_NO = [("yes", "Yes"), ("no", "No")]


class KeyWorkerForm(NhsForm):
    user = forms.ChoiceField(
        label="New key worker",
        choices=[],
        help_text="A member of staff on the person's care team, or in your team",
        error_messages={"required": "Select the new key worker", "invalid_choice": "Select someone from the list"},
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for the change"},
    )
    handover_note = forms.CharField(
        label="Handover note",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the new key worker needs to know. Needed when the key worker changes.",
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._candidates = {str(u.pk): u for u in candidates}
        self.fields["user"].choices = [("", "Select a member of staff")] + [
            (str(u.pk), f"{u.get_full_name() or u.username}, {u.primary_organisation}") for u in candidates
        ]

    def clean_user(self):
        user = self._candidates.get(self.cleaned_data["user"])
        if user is None:
            raise ValidationError("Select someone from the list")
        return user


SHARE_CHOICES = [(s.value, s.label) for s in PlanSection]


class PlanSectionsForm(NhsForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    what_matters = forms.CharField(
        label="What matters to me",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In the person's own words",
    )
    strengths = forms.CharField(
        label="My strengths and the people and community around me",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    early_signs = forms.CharField(
        label="Early signs that I am becoming unwell",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    what_helps = forms.CharField(
        label="What helps me stay well", required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    crisis_contacts = forms.CharField(
        label="Who to contact if I need help",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Names and numbers, in working hours",
    )
    out_of_hours = forms.CharField(
        label="Who to contact out of hours",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example the crisis line, NHS 111 (option 2 for mental health), or 999 in an emergency",
    )
    review_date = NhsDateField(
        label="Review date",
        future_only=True,
        help_text="At most 6 months from today. For example, 3 3 2027",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for domain in NeedDomain:
            self.fields[f"need_{domain.value}"] = forms.CharField(
                label=domain.label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
        for kind in ("vcfse", "local_authority", "peer_support"):
            self.fields[f"share_{kind}"] = forms.MultipleChoiceField(
                label=f"Share with {ConsentKind(kind).label.lower()}",
                choices=SHARE_CHOICES,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        self.order_fields(
            ["revision", "what_matters", "strengths"]
            + [f"need_{d}" for d in NeedDomain.values]
            + ["early_signs", "what_helps", "crisis_contacts", "out_of_hours", "review_date"]
        )

    @property
    def need_fields(self):
        return [self[f"need_{d}"] for d in NeedDomain.values]

    @property
    def share_checkboxes(self):
        """Parameters for the NHS.UK checkboxes macro, one group per kind of organisation. (Rendered here
        rather than by as_field_group(), which draws CheckboxSelectMultiple as radios: Django's
        CheckboxSelectMultiple is a subclass of RadioSelect.)"""
        groups = []
        for kind in ("vcfse", "local_authority", "peer_support"):
            bound = self[f"share_{kind}"]
            chosen = [str(v) for v in (bound.value() or [])]
            groups.append(
                {
                    "idPrefix": bound.auto_id,
                    "name": bound.html_name,
                    "fieldset": {"legend": {"text": str(bound.label), "classes": "nhsuk-fieldset__legend--s"}},
                    "errorMessage": {"text": " ".join(bound.errors)} if bound.errors else None,
                    "items": [{"value": v, "text": t, "checked": v in chosen} for v, t in SHARE_CHOICES],
                }
            )
        return groups

    @staticmethod
    def initial_for(version):
        initial = {f: getattr(version, f) for f in ("what_matters", "strengths", "early_signs", "what_helps")}
        initial |= {
            "crisis_contacts": version.crisis_contacts,
            "out_of_hours": version.out_of_hours,
            "review_date": version.review_date,
            "revision": version.revision,
        }
        initial |= {f"need_{d}": version.needs.get(d, "") for d in NeedDomain.values}
        initial |= {f"share_{k}": version.sharing.get(k, []) for k in ("vcfse", "local_authority", "peer_support")}
        return initial

    def content(self):
        data = self.cleaned_data
        return {
            **{f: data[f] for f in ("what_matters", "strengths", "early_signs", "what_helps", "crisis_contacts")},
            "out_of_hours": data["out_of_hours"],
            "review_date": data["review_date"],
            "needs": {d: data[f"need_{d}"] for d in NeedDomain.values if data[f"need_{d}"]},
            "sharing": {k: data[f"share_{k}"] for k in ("vcfse", "local_authority", "peer_support")},
        }


class GoalForm(NhsForm):
    words = forms.CharField(
        label="The goal, in the person's own words",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='Write it as they said it, for example "I want to get back to swimming on Saturdays"',
        error_messages={"required": "Enter the goal in the person's own words"},
    )


class ActionForm(NhsForm):
    description = forms.CharField(
        label="What will be done",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter what will be done"},
    )
    owner = forms.ChoiceField(
        label="Who will do it",
        choices=[],
        error_messages={
            "required": "Select who will do this: the person or an organisation on their care team",
            "invalid_choice": "Select who will do this from the list",
        },
    )
    due = NhsDateField(label="By when", future_only=True, help_text="For example, 3 3 2027")

    def __init__(self, *args, organisations=(), person_name="the person", **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.pk): o for o in organisations}
        self.fields["owner"].choices = [
            ("", "Select who will do it"),
            ("person", f"{person_name} (their own action)"),
        ] + [(str(o.pk), o.name) for o in organisations]

    def clean_owner(self):
        value = self.cleaned_data["owner"]
        if value == "person":
            return "person"
        org = self._organisations.get(value)
        if org is None:
            raise ValidationError("Select who will do this from the list")
        return org


class ActionDoneForm(NhsForm):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example what was done, or what happens next",
        error_messages={"max_length": "The note must be 1,000 characters or fewer"},
    )


class AgreeForm(NhsForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    agreed_on = NhsDateField(label="Date the person agreed the plan", past_only=True, help_text="For example, 3 3 2026")
    participation = forms.ChoiceField(
        label="How did the person take part?",
        choices=Participation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the person took part"},
    )
    own_words = forms.ChoiceField(
        label="Is the plan written in the person's own words?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the plan is in the person's own words"},
    )
    person_comments = forms.CharField(
        label="The person's comments on their plan",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What they said about it, in their words",
        error_messages={"required": "Enter the person's comments on the plan, or what they said about it"},
    )


class DialogForm(NhsForm):
    taken_on = NhsDateField(label="Date of the rating", past_only=True, help_text="For example, 3 3 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in dialog_items():
            domain = item.domain.lower()
            self.fields[f"item_{item.item}"] = forms.TypedChoiceField(
                label=f"{item.item}. {item.question}",
                choices=list(DIALOG_SCALE_LABELS.items()),
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select a score (1 to 7) for {domain}",
                    "invalid_choice": f"The score for {domain} must be from 1 to 7",
                },
            )
            self.fields[f"help_{item.item}"] = forms.ChoiceField(
                label=f"Do you want more help with your {domain}?"
                if item.group == "life"
                else f"Do you want more help with {domain}?",
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select whether the person wants more help with {domain}"},
            )

    @property
    def item_pairs(self):
        return [(self[f"item_{i.item}"], self[f"help_{i.item}"]) for i in dialog_items()]

    def ratings(self):
        data = self.cleaned_data
        return {i: (data[f"item_{i}"], data[f"help_{i}"] == "yes") for i in range(1, 12)}


class GoalScoresForm(NhsForm):
    rated_on = NhsDateField(label="Date of the rating", past_only=True, help_text="For example, 3 3 2026")

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"goal_{goal.key}"] = forms.TypedChoiceField(
                label=goal.words,
                choices=[("", "Not rated this time")] + [(n, str(n)) for n in range(0, 11)],
                coerce=int,
                empty_value=None,
                required=False,
                help_text="0 is no progress, 10 is the goal reached",
                error_messages={"invalid_choice": "Each goal score must be from 0 to 10"},
            )

    @property
    def goal_fields(self):
        return [self[f"goal_{g.key}"] for g in self.goals]

    def scores(self):
        return {g.key: self.cleaned_data.get(f"goal_{g.key}") for g in self.goals}


class LevelForm(NhsForm):
    level = forms.ChoiceField(
        label="New level of care",
        choices=LevelOfCare.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a level of care"},
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for the change"},
    )


class CompareForm(NhsForm):
    a = forms.TypedChoiceField(label="Earlier version", choices=[], coerce=int)
    b = forms.TypedChoiceField(label="Later version", choices=[], coerce=int)

    def __init__(self, *args, numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            self.fields[name].choices = [(n, f"Version {n}") for n in numbers]
