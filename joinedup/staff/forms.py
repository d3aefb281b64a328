from django import forms

from joinedup.accounts.models import User
from joinedup.accounts.roles import Role
from joinedup.nhsuk_forms.fields import NhsDateField, NhsForm

from . import scope

USERNAME_HELP = "Letters, digits and . _ - only, for example firstname.lastname"


def _reason_field(label="Reason for the change"):
    return forms.CharField(
        label=label,
        help_text="Kept in the audit trail with the change",
        max_length=500,
        error_messages={"required": "Enter the reason for the change"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _role_choices():
    return [("", "Select a role")] + list(Role.choices)


class _TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, team):
        return f"{team.name} ({team.organisation.name})"


def _team_field(admin, label="Team"):
    return _TeamChoiceField(
        queryset=scope.teams(admin).order_by("organisation__name", "name"),
        label=label,
        empty_label="Select a team",
        error_messages={
            "required": "Select a team",
            "invalid_choice": "Select a team in an organisation you administer",
        },
    )


class _Versioned(NhsForm):
    """Carries the account's version as it was when the page was opened (the later of two changes is told)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)


class StaffJoinForm(NhsForm):
    first_name = forms.CharField(label="First name", max_length=150, error_messages={"required": "Enter a first name"})
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Enter a last name"})
    username = forms.RegexField(
        label="User name",
        help_text=USERNAME_HELP,
        regex=r"^[A-Za-z0-9._-]{3,150}$",
        max_length=150,
        error_messages={"required": "Enter a user name", "invalid": "User name: " + USERNAME_HELP},
    )
    email = forms.EmailField(
        label="Email address", required=False, error_messages={"invalid": "Enter an email address"}
    )
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    cis2_uid = forms.RegexField(
        label="NHS CIS2 user id (optional)",
        help_text="For NHS staff who sign in with their smartcard or NHS identity: the 12-digit id from Care "
        "Identity Service 2. Leave it empty for staff who sign in with a password and authenticator app.",
        regex=r"^[0-9]{6,20}$",
        required=False,
        error_messages={"invalid": "The CIS2 user id is 6 to 20 digits"},
    )
    role = forms.ChoiceField(label="Role", choices=_role_choices, error_messages={"required": "Select a role"})
    started = NhsDateField(label="Start date", past_only=True, required=False, help_text="Leave empty for today")
    ends_on = NhsDateField(label="End date (optional)", required=False, help_text="For a fixed-term post or secondment")
    reason = _reason_field()

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"] = _team_field(admin)
        self.order_fields(["first_name", "last_name", "username", "email", "job_title", "cis2_uid", "team", "role"])


class DetailsForm(_Versioned):
    first_name = forms.CharField(label="First name", max_length=150, error_messages={"required": "Enter a first name"})
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Enter a last name"})
    email = forms.EmailField(
        label="Email address", required=False, error_messages={"invalid": "Enter an email address"}
    )
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    cis2_uid = StaffJoinForm.base_fields["cis2_uid"]
    reason = _reason_field()


class GrantForm(_Versioned):
    role = forms.ChoiceField(label="Role", choices=_role_choices, error_messages={"required": "Select a role"})
    started = NhsDateField(label="Start date", past_only=True, required=False, help_text="Leave empty for today")
    ends_on = NhsDateField(label="End date (optional)", required=False)
    reason = _reason_field()

    def __init__(self, *args, admin, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"] = _team_field(admin)
        self.order_fields(["version", "team", "role"])


def _membership_field(user, admin, label):
    current = [m for m in user.memberships.filter(ended__isnull=True).select_related("team__organisation")]
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[
            (m.pk, f"{m.get_role_display()}, {m.team.name}") for m in current if scope.may_run_team(admin, m.team)
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select one of their current teams",
            "invalid_choice": "Select one of their current teams",
        },
    )


class MoveForm(_Versioned):
    reason = _reason_field()

    def __init__(self, *args, user, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership_id"] = _membership_field(user, admin, "Which team are they leaving?")
        self.fields["to_team"] = _team_field(admin, "Which team are they joining?")
        self.order_fields(["version", "membership_id", "to_team"])


class MembershipEndForm(_Versioned):
    reason = _reason_field()

    def __init__(self, *args, user, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership_id"] = _membership_field(user, admin, "Which role ends today?")
        self.order_fields(["version", "membership_id"])


class EndDateForm(_Versioned):
    ends_on = NhsDateField(label="Last day", required=False, help_text="Leave empty for no end date")
    reason = _reason_field()

    def __init__(self, *args, user, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership_id"] = _membership_field(user, admin, "Which role?")
        self.order_fields(["version", "membership_id", "ends_on"])


class ReasonForm(_Versioned):
    reason = _reason_field()


class HandOverForm(NhsForm):
    reason = _reason_field("Reason")
    handover_note = forms.CharField(
        label="Handover note for the new key worker",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, caseload, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"] = forms.TypedMultipleChoiceField(
            label="People to hand over",
            coerce=int,
            choices=[(m.person_id, f"{m.person.given_name} {m.person.family_name}") for m in caseload],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select at least one person to hand over"},
        )
        self.fields["to_user"] = forms.TypedChoiceField(
            label="New key worker",
            coerce=int,
            choices=[("", "Select a member of staff")]
            + [(u.pk, f"{u.get_full_name() or u.username} ({u.job_title or u.username})") for u in choices],
            error_messages={"required": "Select the new key worker", "invalid_choice": "Select the new key worker"},
        )
        self.order_fields(["people", "to_user", "reason", "handover_note"])

    def clean_to_user(self):
        return User.objects.filter(pk=self.cleaned_data["to_user"]).first()


class ImportForm(NhsForm):
    file = forms.FileField(
        label="Staff file (CSV)",
        error_messages={"required": "Choose a CSV file of staff to import", "empty": "The file is empty"},
    )
    reason = _reason_field("Reason for the import")


class SearchForm(NhsForm):
    q = forms.CharField(label="Search by name or user name", max_length=100, required=False)
