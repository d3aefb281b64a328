from django import forms
from django.contrib.auth.forms import AuthenticationForm

from joinedup.nhsuk_forms.fields import NhsForm
from joinedup.nhsuk_forms.rendering import NhsBoundField


class SignInForm(AuthenticationForm):
    bound_field_class = NhsBoundField
    error_messages = {
        "invalid_login": "Enter a correct user name and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "User name"
        self.fields["username"].error_messages["required"] = "Enter your user name"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.pop("autofocus", None)


class CodeForm(NhsForm):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app",
        max_length=6,
        min_length=6,
        error_messages={
            "required": "Enter the 6-digit security code",
            "min_length": "The security code is 6 digits",
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, device=None, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not (code.isascii() and code.isdigit()) or not self.device or not self.device.verify_token(code):
            raise forms.ValidationError("The security code is not right or has expired: try the current code")
        return code


class EnrolmentCodeForm(NhsForm):
    enrolment_code = forms.CharField(
        label="Set-up code",
        help_text="The 12-character code your administrator gave you, for example ABCD-EFGH-JKMN",
        max_length=30,
        error_messages={"required": "Enter the set-up code your administrator gave you"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class IssueEnrolmentCodeForm(NhsForm):
    username = forms.CharField(
        label="User name",
        help_text="Of the member of staff who is setting up their authenticator app",
        max_length=150,
        error_messages={"required": "Enter the user name of the member of staff"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    replace_device = forms.BooleanField(
        label="They have lost their authenticator app or changed phone: remove the old one",
        required=False,
    )

    def clean_username(self):
        from .models import User

        user = User.objects.filter(username=self.cleaned_data["username"].strip(), is_active=True).first()
        if user is None:
            raise forms.ValidationError("There is no active member of staff with that user name")
        self.cleaned_data["user"] = user
        return user.username
