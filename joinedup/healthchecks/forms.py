import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.core.dates import format_date
from joinedup.nhsuk_forms.fields import NhsDateField, NhsForm

from .models import WIDER_ELEMENTS, BookingProvider, ContactMethod, ContactOutcome, GlucoseKind, SmokingStatus


class UploadForm(NhsForm):
    file = forms.FileField(
        label="Register file (CSV)",
        error_messages={"required": "Select a CSV file to upload", "empty": "The selected file is empty"},
    )
    practice = forms.CharField(
        label="Practice ODS code (optional)",
        required=False,
        max_length=10,
        help_text="Only needed when the file has no practice_code column, for example P81001",
    )
    # The SHA-256 of a file whose import was previewed: the same file sent again with it confirms the import.
    confirm = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class ContactForm(NhsForm):
    method = forms.ChoiceField(
        label="How did you try to contact them?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you tried to contact them"},
    )
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    next_step = forms.CharField(label="Next step (optional)", required=False, max_length=300)


class BookingForm(NhsForm):
    provider_kind = forms.ChoiceField(
        label="Who will do the check?",
        choices=BookingProvider.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who will do the check"},
    )
    day = NhsDateField(label="Date of the appointment", future_only=False)
    time = forms.TimeField(
        label="Time",
        help_text="For example 14:30",
        error_messages={"required": "Enter the time", "invalid": "Enter a time like 14:30"},
    )
    place = forms.CharField(label="Place", max_length=200, error_messages={"required": "Enter where the check is"})

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time"):
            at = timezone.make_aware(dt.datetime.combine(data["day"], data["time"]))
            if at < timezone.now():
                raise ValidationError({"day": "The appointment must be in the future"})
            data["at"] = at
        return data


def _appointment(booking) -> str:
    at = timezone.localtime(booking.at)
    return f"Yes, {format_date(at)} at {at:%H:%M} with {booking.get_provider_kind_display()} ({booking.place})"


def _decimal(label, **kw):
    return forms.DecimalField(
        label=label, required=False, decimal_places=1, error_messages={"invalid": f"{label} must be a number"}, **kw
    )


def _integer(label):
    return forms.IntegerField(
        label=label, required=False, error_messages={"invalid": f"{label} must be a whole number"}
    )


class CheckForm(NhsForm):
    done_on = NhsDateField(label="Date of the check")
    height_cm = _decimal("Height (cm)")
    weight_kg = _decimal("Weight (kg)")
    waist_cm = _decimal("Waist (cm)")
    systolic = _integer("Systolic blood pressure (mmHg)")
    diastolic = _integer("Diastolic blood pressure (mmHg)")
    pulse = _integer("Pulse (beats a minute)")
    hba1c = _integer("HbA1c (mmol/mol)")
    glucose = _decimal("Blood glucose (mmol/L)")
    glucose_kind = forms.ChoiceField(
        label="Was the glucose fasting or random?",
        required=False,
        choices=[("", "Not taken")] + list(GlucoseKind.choices),
    )
    total_cholesterol = _decimal("Total cholesterol (mmol/L)")
    hdl_cholesterol = _decimal("HDL cholesterol (mmol/L)")
    smoking = forms.ChoiceField(
        label="Smoking status", required=False, choices=[("", "Not asked")] + list(SmokingStatus.choices)
    )
    alcohol_units = _integer("Alcohol (units a week)")
    audit_c = _integer("AUDIT-C score")

    NOT_BOOKED = "none"

    def __init__(self, *args, bookings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bookings = {str(b.pk): b for b in bookings}
        if self.bookings:
            # Asked, never guessed: a check at an appointment closes it and ends its reminder.
            self.fields["booking"] = forms.ChoiceField(
                label="Was this check at a booked appointment?",
                choices=[(pk, _appointment(b)) for pk, b in self.bookings.items()]
                + [(self.NOT_BOOKED, "No, not at a booked appointment")],
                widget=forms.RadioSelect,
                error_messages={"required": "Select the appointment this check was at, or that it was not at one"},
            )
        for code, label in WIDER_ELEMENTS.items():
            self.fields[f"wider_{code}"] = forms.CharField(label=f"{label} (optional)", required=False, max_length=200)

    def clean_booking(self):
        return self.bookings.get(self.cleaned_data["booking"])  # None when not at a booked appointment

    def values(self):
        data = dict(self.cleaned_data)
        wider = {code: data.pop(f"wider_{code}", "") for code in WIDER_ELEMENTS}
        done_on = data.pop("done_on")
        return done_on, wider, {k: (v if v != "" else None) for k, v in data.items()}


class FollowUpForm(NhsForm):
    status = forms.ChoiceField(
        label="What happened?",
        choices=[("done", "Done"), ("declined", "Declined by the person")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it was done or declined"},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)


class PlanForm(NhsForm):
    what_matters = forms.CharField(label="What matters to them", required=False, max_length=2000, widget=forms.Textarea)
    goals = forms.CharField(
        label="The goals and follow-ups they chose", required=False, max_length=2000, widget=forms.Textarea
    )
    agreed = forms.BooleanField(label="Made and agreed with the person", required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
