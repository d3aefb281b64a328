from django import forms
from django.core.exceptions import ValidationError

from joinedup.nhsuk_forms.fields import NhsDateField, NhsForm

from . import reference
from .models import ContactMethod, ReferralSource, WorkerKind
from .services import MAX_CONTACT_MINUTES


class ReferForm(NhsForm):
    source = forms.ChoiceField(
        label="Where does the referral come from?",
        choices=ReferralSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the referral comes from"},
    )
    reason = forms.CharField(
        label="What would the person like from peer support?",
        help_text="In their words if you can: for example, to get out more and meet people",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what the person would like from peer support"},
    )


class AllocateForm(NhsForm):
    worker = forms.ChoiceField(
        label="Worker or volunteer",
        choices=[],
        error_messages={"required": "Select a worker or volunteer", "invalid_choice": "Select a worker from the list"},
    )
    outside_locality_reason = forms.CharField(
        label="Reason, if they do not cover the person's locality",
        help_text="For example, the person asked for someone they already know",
        max_length=500,
        required=False,
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "Select a worker or volunteer")] + [
            (str(c.worker.pk), _worker_choice_label(c)) for c in choices
        ]


def _worker_choice_label(choice):
    w = choice.worker
    where = "covers the locality" if choice.covers else "does not cover the locality"
    room = "caseload full" if choice.full else f"{choice.caseload} of {w.caseload_limit}"
    return f"{w.user.get_full_name()}, {w.get_kind_display().lower()}, {w.organisation.name} ({where}; {room})"


class ContactForm(NhsForm):
    on = NhsDateField(label="Date of contact", required=False, past_only=True, help_text="For example, 3 11 2026")
    duration_minutes = forms.IntegerField(
        label="How long was it, in minutes?",
        min_value=1,
        max_value=MAX_CONTACT_MINUTES,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how long the contact was, in minutes",
            "invalid": "Enter the length of the contact as a number of minutes, like 45",
            "min_value": "The contact must be at least 1 minute",
            "max_value": f"The contact must be {MAX_CONTACT_MINUTES} minutes or fewer",
        },
    )
    method = forms.ChoiceField(
        label="How did it happen?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the contact happened"},
    )
    what_was_done = forms.CharField(
        label="What was done",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what was done"},
    )

    def clean_on(self):
        value = self.cleaned_data.get("on")
        if value is None:
            raise ValidationError("Enter the date of the contact")
        return value


class OutcomesForm(NhsForm):
    stage = forms.ChoiceField(
        label="When are you rating?",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": "Select start, review or end"},
    )
    rated_on = NhsDateField(
        label="Date rated with the person", required=False, past_only=True, help_text="For example, 3 11 2026"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = list(reference.stages().items())
        scale = [(str(p.value), f"{p.value} - {p.label}") for p in reference.scale()]
        for outcome in reference.outcomes():
            self.fields[f"outcome_{outcome.code}"] = forms.ChoiceField(
                label=outcome.label,
                help_text=outcome.question,
                choices=scale,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": f"{outcome.label}: choose a rating on the scale"},
            )

    def clean_rated_on(self):
        value = self.cleaned_data.get("rated_on")
        if value is None:
            raise ValidationError("Enter the date you rated the outcomes with the person")
        return value

    def outcome_fields(self):
        return [self[f"outcome_{o.code}"] for o in reference.outcomes()]

    def scores(self):
        return {
            o.code: self.cleaned_data.get(f"outcome_{o.code}")
            for o in reference.outcomes()
            if self.cleaned_data.get(f"outcome_{o.code}")
        }


class EndForm(NhsForm):
    reason = forms.CharField(
        label="Why is peer support ending?",
        max_length=500,
        error_messages={"required": "Enter why peer support is ending"},
    )


class DirectorySearchForm(NhsForm):
    q = forms.CharField(
        label="Search words (optional)", required=False, max_length=100, help_text="For example, walking"
    )
    locality = forms.ChoiceField(label="Locality", required=False, choices=[])
    category = forms.ChoiceField(label="Kind of activity or support", required=False, choices=[])

    def __init__(self, *args, localities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._localities = {loc.code: loc for loc in localities}
        self.fields["locality"].choices = [("", "All localities")] + [(loc.code, loc.name) for loc in localities]
        self.fields["category"].choices = [("", "All kinds")] + list(reference.categories().items())

    def clean_locality(self):
        return self._localities.get(self.cleaned_data.get("locality") or "")


class LinkForm(NhsForm):
    offer = forms.IntegerField(widget=forms.HiddenInput)
    contact = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SupervisionForm(NhsForm):
    held_on = NhsDateField(label="Date of the supervision session", past_only=True)
    themes = forms.CharField(
        label="Themes discussed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the themes discussed"},
    )
    actions = forms.CharField(
        label="Actions agreed (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TrainingForm(NhsForm):
    module = forms.ChoiceField(
        label="Module", choices=[], error_messages={"required": "Select a module", "invalid_choice": "Select a module"}
    )
    completed_on = NhsDateField(label="Date completed", past_only=True)

    def __init__(self, *args, modules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [("", "Select a module")] + [(m.code, m.title) for m in modules]


class ProgressionForm(NhsForm):
    to_kind = forms.ChoiceField(
        label="New role",
        choices=WorkerKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new role"},
    )
    on = NhsDateField(label="Date of the change", past_only=True)
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)
