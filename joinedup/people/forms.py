from django import forms
from django.core.exceptions import ValidationError

from joinedup.accounts.roles import ConsentKind
from joinedup.core.validators import (
    normalise_nhs_number,
    normalise_postcode,
    validate_nhs_number,
    validate_phone,
    validate_uk_postcode,
)
from joinedup.core.valuesets import value_set_choices
from joinedup.nhsuk_forms.fields import NhsDateField, NhsForm

from .models import ContactChannel, Sex


class NhsNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "NHS number")
        kwargs.setdefault("max_length", 14)
        kwargs.setdefault("help_text", "10 digits, for example 943 476 5919")
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}))
        super().__init__(**kwargs)
        self.error_messages["max_length"] = "NHS number must be 10 digits"

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        validate_nhs_number(value)
        return normalise_nhs_number(value)


class NameField(forms.CharField):
    """A name of at most 100 characters (the record's limit). The page does not tell the browser the limit: a
    `maxlength` attribute makes it cut a longer name without a word, so the record would hold a name the person
    never gave. A longer name reaches the form and is refused with a message instead."""

    MAX = 100

    def __init__(self, *, what, required=True, **kwargs):
        super().__init__(
            max_length=self.MAX,
            required=required,
            error_messages={
                "required": f"Enter the person's {what.lower()}",
                "max_length": f"{what} must be {self.MAX} characters or fewer",
            },
            **kwargs,
        )

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class SearchForm(NhsForm):
    nhs_number = NhsNumberField(required=False)
    name = forms.CharField(label="Name", required=False, max_length=200, help_text="First name and last name")
    date_of_birth = NhsDateField(
        label="Date of birth", required=False, past_only=True, help_text="For example, 15 3 1984"
    )
    postcode = forms.CharField(
        label="Postcode (optional)", required=False, max_length=8, validators=[validate_uk_postcode]
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("nhs_number"):
            return data
        if not data.get("name") and not data.get("date_of_birth"):
            raise ValidationError("Enter an NHS number, or a name and date of birth")
        if not data.get("name"):
            self.add_error("name", "Enter a name as well as the date of birth")
        if not data.get("date_of_birth"):
            self.add_error("date_of_birth", "Enter a date of birth as well as the name")
        return data


class PersonForm(NhsForm):
    nhs_number = NhsNumberField(
        required=False, help_text="10 digits, for example 943 476 5919. Leave empty if not known."
    )
    given_name = NameField(label="First name", what="First name")
    family_name = NameField(label="Last name", what="Last name")
    preferred_name = NameField(label="Preferred name (optional)", what="Preferred name", required=False)
    date_of_birth = NhsDateField(label="Date of birth", past_only=True, help_text="For example, 15 3 1984")
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the person's sex"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=[("", "Select ethnicity")] + value_set_choices("ethnicity"),
        error_messages={"required": "Select the person's ethnicity, or 'Not stated'"},
    )
    address = forms.CharField(
        label="Address (optional)", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(
        label="Postcode (optional)", max_length=8, required=False, validators=[validate_uk_postcode]
    )
    phone = forms.CharField(label="Phone number (optional)", max_length=30, required=False, validators=[validate_phone])
    email = forms.EmailField(
        label="Email address (optional)",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address in the right format, like name@example.com"},
    )
    practice = forms.ChoiceField(
        label="Registered GP practice",
        choices=[],
        error_messages={
            "required": "Select the person's GP practice",
            "invalid_choice": "Select a practice from the list",
        },
    )
    preferred_channel = forms.ChoiceField(
        label="Preferred way to be contacted (optional)",
        choices=[("", "No preference")] + ContactChannel.choices,
        required=False,
    )
    safe_times = forms.CharField(
        label="Safe times to contact (optional)",
        max_length=200,
        required=False,
        help_text="For example, weekdays after 2pm",
    )
    no_voicemail = forms.BooleanField(label="Do not leave voicemail messages", required=False)
    do_not_contact = forms.BooleanField(label="Do not contact (outreach and reminders)", required=False)

    def __init__(self, *args, practices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._practices = {str(p.pk): p for p in practices}
        self.fields["practice"].choices = [("", "Select a practice")] + [
            (str(p.pk), f"{p.name} ({p.ods_code})") for p in practices
        ]

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"]) if self.cleaned_data["postcode"] else ""

    def clean_practice(self):
        practice = self._practices.get(self.cleaned_data["practice"])
        if practice is None:
            raise ValidationError("Select a practice from the list")
        return practice


class RegisterForm(PersonForm):
    consents = forms.MultipleChoiceField(
        label="The person agrees to share their record with",
        choices=ConsentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ask the person. They can change this at any time.",
    )


class StoryForm(NhsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    my_story = forms.CharField(
        label="My story",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="In the person's own words: what has happened, what matters, what helps. "
        "Written once, so they do not have to repeat it.",
        error_messages={"max_length": "My story must be 10,000 characters or fewer"},
    )


class CommunicationNeedsForm(NhsForm):
    needs = forms.MultipleChoiceField(
        label="Communication needs",
        choices=value_set_choices("communication_needs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Under the Accessible Information Standard. Select all that apply.",
    )
    detail = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=200,
        help_text="For example the language for an interpreter",
    )

    def clean(self):
        data = super().clean()
        if "interpreter" in data.get("needs", []) and not data.get("detail"):
            self.add_error("detail", "Enter the language the person needs an interpreter for")
        return data


class ConsentForm(NhsForm):
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=ConsentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of organisation"},
    )
    given = forms.ChoiceField(
        label="Does the person agree to share their record with them?",
        choices=[("yes", "Yes, they agree"), ("no", "No, they do not agree or have withdrawn")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes or no"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        help_text="For example how the person gave or withdrew consent",
    )


class EmergencyAccessForm(NhsForm):
    nhs_number = NhsNumberField(error_messages={"required": "Enter the person's NHS number"})
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        max_length=2000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="This is recorded, reviewed by information governance, and shown to the person.",
        error_messages={
            "required": "Enter why you need emergency access",
            "min_length": "Say a little more about why (at least 10 characters)",
        },
    )
