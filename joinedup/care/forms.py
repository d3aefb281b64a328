from django import forms
from django.core.exceptions import ValidationError

from joinedup.core.validators import validate_phone
from joinedup.nhsuk_forms.fields import NhsForm


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
