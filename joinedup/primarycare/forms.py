from django import forms

from joinedup.nhsuk_forms.fields import NhsDateField, NhsDateWidget, NhsForm

from . import rules
from .models import Assessment


def _choose(label, choices, *, required_message, widget=forms.RadioSelect, blank=False):
    options = ([("", "Select")] if blank else []) + list(choices)
    return forms.ChoiceField(label=label, choices=options, widget=widget, error_messages={"required": required_message})


def _text(label, *, required_message="", max_length=2000, rows=4, help_text="", required=True):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


class _DateWidget(NhsDateWidget):
    """Reads the day, month and year whether they arrive as `field-day` (what NhsDateWidget expects) or as
    `field[day]` (what the NHS.UK date input macro names them when given a namePrefix)."""

    def value_from_datadict(self, data, files, name):
        return [
            (data.get(f"{name}-{part}") or data.get(f"{name}[{part}]") or "").strip()
            for part in ("day", "month", "year")
        ]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}-{part}" not in data and f"{name}[{part}]" not in data for part in ("day", "month", "year"))


def _past_date(label, *, required=True):
    return NhsDateField(
        label=label, required=required, past_only=True, help_text="For example, 3 3 2026", widget=_DateWidget
    )


class AskForm(NhsForm):
    question = _text(
        "Your question for the mental health practitioner",
        required_message="Enter your question for the mental health practitioner",
        help_text="Say what you need help with: what you have noticed, what has been tried, what you are worried about",
        rows=6,
    )


class AdviceForm(NhsForm):
    asked_by_name = forms.CharField(
        label="Who asked",
        max_length=200,
        help_text="Name and role, for example Dr Amir Patel, GP",
        error_messages={"required": "Enter who asked, for example Dr Patel, GP"},
    )
    question = _text("The question", required_message="Enter the question you were asked")
    advice = _text("The advice you gave", required_message="Enter the advice you gave", max_length=4000, rows=6)
    follow_up = _text("Follow-up (optional)", required=False, max_length=1000, rows=3)
    follow_up_by = NhsDateField(
        label="Follow up by (optional)", required=False, help_text="For example, 3 4 2026", widget=_DateWidget
    )
    given_on = _past_date("Date the advice was given")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if request is not None:  # answering a GP's request: who asked and the question come from it
            del self.fields["asked_by_name"]
            del self.fields["question"]


class EpisodeOpenForm(NhsForm):
    mhp = forms.ChoiceField(
        label="Whose caseload",
        error_messages={"required": "Select the mental health practitioner"},
    )
    reason = _text(
        "Why are you adding them",
        required_message="Say why this person is being added to the caseload",
    )
    opened_on = _past_date("Date added")

    def __init__(self, *args, mhps=(), request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mhps = {str(u.pk): u for u in mhps}
        self.fields["mhp"].choices = [(str(u.pk), u.get_full_name() or u.username) for u in mhps]
        if request is not None:
            self.fields["reason"].required = False
            self.fields["reason"].label = "Anything to add to the GP's question (optional)"

    def clean_mhp(self):
        return self.mhps[self.cleaned_data["mhp"]]


class AssessmentForm(NhsForm):
    assessed_on = _past_date("Date of the assessment")
    risk_summary = _text(
        "Risk summary",
        required_message="Enter a risk summary",
        help_text=("Current risks to the person and others, protective factors, and the safety plan agreed"),
    )
    what_matters = _text(
        "What matters to the person", required_message="Enter what matters to the person", help_text="In their words"
    )
    baseline = forms.ChoiceField(
        label="Baseline outcome measure",
        choices=Assessment.Baseline.choices,
        widget=forms.RadioSelect,
        help_text="Take a baseline DIALOG or Goal Based Outcomes when it is appropriate for the person",
        error_messages={"required": "Say whether a baseline DIALOG or Goal Based Outcomes measure was taken"},
    )
    baseline_note = forms.CharField(label="Note about the baseline (optional)", required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.need_fields = []
        for code, label in rules.choices("need_domains"):
            name = f"need_{code}"
            self.fields[name] = _text(f"{label} (optional)", required=False, rows=2)
            self.need_fields.append(name)
        # Show the needs first, in care plan order.
        order = ["assessed_on", *self.need_fields, "risk_summary", "what_matters", "baseline", "baseline_note"]
        self.order_fields(order)

    def needs(self):
        return {name.removeprefix("need_"): self.cleaned_data.get(name, "") for name in self.need_fields}


class SessionForm(NhsForm):
    session_type = _choose(
        "Type of session",
        rules.choices("session_types"),
        required_message="Select the type of session",
        widget=forms.Select,
        blank=True,
    )
    held_on = _past_date("Date of the session")
    what_was_done = _text("What was done", required_message="Enter what was done in the session", max_length=4000)
    outcome = _text("Outcome", required_message="Enter the outcome of the session")
    over_limit_reason = _text(
        "Reason for a session beyond the limit",
        required=False,
        max_length=1000,
        rows=3,
    )
    supervisor = forms.ChoiceField(
        label="Supervising mental health practitioner",
        required=False,
        error_messages={"invalid_choice": "Select your supervising mental health practitioner"},
    )

    def __init__(self, *args, supervisors=None, over_limit=False, **kwargs):
        super().__init__(*args, **kwargs)
        if supervisors is None:
            del self.fields["supervisor"]
        else:
            self.supervisors = {str(u.pk): u for u in supervisors}
            self.fields["supervisor"].choices = [("", "Select")] + [
                (str(u.pk), u.get_full_name() or u.username) for u in supervisors
            ]
        if not over_limit:
            del self.fields["over_limit_reason"]

    def clean_supervisor(self):
        value = self.cleaned_data.get("supervisor")
        return self.supervisors.get(value) if value else None


class ReviewForm(NhsForm):
    comment = _text("Comment for the trainee (optional)", required=False, rows=3)


class OnwardReferralForm(NhsForm):
    kind = _choose(
        "Refer to",
        rules.choices("onward_referral_kinds"),
        required_message="Select where you are referring the person to",
    )
    service_name = forms.CharField(
        label="Service or organisation",
        required=False,
        max_length=200,
        help_text="Needed for a VCFSE service, for example Lancashire Mind",
    )
    reason = _text("Why", required_message="Say why you are referring the person")
    referred_on = _past_date("Date of the referral")


class DischargeForm(NhsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = _choose(
        "Why are they leaving the caseload",
        rules.choices("discharge_reasons"),
        required_message="Select why the person is being discharged",
    )
    summary = _text(
        "Summary for the GP",
        required_message="Write a summary for the GP",
        max_length=4000,
        rows=8,
        help_text="What the person came with, what was done, how they are now",
    )
    gp_follow_up = _text("What the GP should do next (optional)", required=False, rows=3)
    discharged_on = _past_date("Date of discharge")
