from django import forms

from joinedup.nhsuk_forms.fields import NhsForm

from .models import Urgency, WantsToAttend

YES_NO = [("yes", "Yes"), ("no", "No")]


class EmdtRequestForm(NhsForm):
    meets_complex_needs = forms.ChoiceField(
        label="Criterion 1: does the person have complex mental health needs that need support from more than one "
        "organisation or professional?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the person meets criterion 1"},
    )
    complex_needs = forms.CharField(
        label="Describe those needs",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    services = forms.MultipleChoiceField(
        label="Which services does the person need?",
        help_text="From the region's list of services an EMDT brings in. Select all that apply.",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Not one of the region's EMDT services: %(value)s"},
    )
    meets_care_plan_gap = forms.ChoiceField(
        label="Criterion 2: does the person's current care plan not reflect their needs, so that wider support is "
        "required?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the person meets criterion 2"},
    )
    care_plan_gap = forms.CharField(
        label="Why does the current care plan not reflect their needs?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    consent_to_discuss = forms.ChoiceField(
        label="Does the person agree to be discussed at the EMDT?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the person agrees to be discussed at the EMDT"},
    )
    wants_to_attend = forms.ChoiceField(
        label="Does the person want to attend the discussion?",
        choices=WantsToAttend.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the person wants to attend the discussion"},
    )
    risks = forms.CharField(
        label="Risks (optional)",
        help_text="Risks to the person or to others that the team should know about",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    urgency = forms.ChoiceField(
        label="How urgent is this request?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent the request is"},
    )
    team = forms.ChoiceField(
        label="EMDT", choices=[], error_messages={"invalid_choice": "Choose an EMDT from the list"}
    )
    other_emdt_reason = forms.CharField(
        label="Reason for asking a different EMDT (only if you changed it)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, services=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = [(s.code, s.name) for s in services]
        self._teams = {str(t.pk): t for t in teams}
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]

    def services_params(self) -> dict:
        """Parameters for the NHS.UK checkboxes macro. The shared renderer treats CheckboxSelectMultiple as radios
        (Django makes it a RadioSelect subclass), so this field is rendered with the macro directly."""
        field = self["services"]
        chosen = {str(v) for v in (field.value() or [])}
        return {
            "idPrefix": field.auto_id,
            "name": field.html_name,
            "fieldset": {"legend": {"text": str(field.label)}},
            "hint": {"text": str(field.help_text)},
            "errorMessage": {"text": " ".join(field.errors)} if field.errors else None,
            "items": [{"value": v, "text": t, "checked": v in chosen} for v, t in field.field.choices],
        }

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "meets_complex_needs": d["meets_complex_needs"] == "yes",
            "complex_needs": d["complex_needs"],
            "services": d["services"],
            "meets_care_plan_gap": d["meets_care_plan_gap"] == "yes",
            "care_plan_gap": d["care_plan_gap"],
            "consent_to_discuss": d["consent_to_discuss"] == "yes",
            "wants_to_attend": d["wants_to_attend"],
            "risks": d["risks"],
            "urgency": d["urgency"],
            "team": self._teams.get(d["team"]),
            "other_emdt_reason": d["other_emdt_reason"],
        }


class TriageForm(NhsForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("accept", "Accept and place on a meeting agenda"),
            ("ask", "Ask the person who made the request for more information"),
            ("decline", "Decline, with what is recommended instead"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    meeting = forms.ChoiceField(label="Meeting (if accepting)", choices=[], required=False)
    question = forms.CharField(
        label="Question (if asking for more information)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    reason = forms.CharField(
        label="Why the EMDT is not the right support now (if declining)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    recommendation = forms.CharField(
        label="What is recommended instead (if declining)",
        help_text="For example: peer support and debt advice through the practice's social prescriber",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._meetings = {str(m.pk): m for m in meetings}
        self.fields["meeting"].choices = [("", "Choose a meeting")] + [(str(m.pk), m.label) for m in meetings]

    def chosen_meeting(self):
        return self._meetings.get(self.cleaned_data.get("meeting") or "")


class AnswerForm(NhsForm):
    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Enter your answer to the EMDT's question"},
    )


class CloseForm(NhsForm):
    note = forms.CharField(
        label="Why is the request being closed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the request is being closed"},
    )
