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
        if not code.isdigit() or not self.device or not self.device.verify_token(code):
            raise forms.ValidationError("The security code is not right or has expired: try the current code")
        return code
