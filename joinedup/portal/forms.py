from django import forms

from joinedup.accounts.roles import ConsentKind
from joinedup.care.forms import DialogForm
from joinedup.nhsuk_forms.fields import NhsDateField, NhsForm

from .models import HelperKind


class PlanResponseForm(NhsForm):
    choice = forms.ChoiceField(
        label="What would you like to do?",
        choices=[("agree", "I agree with this plan"), ("changes", "I would like some changes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select if you agree or would like changes"},
    )
    comments = forms.CharField(
        label="Your comments",
        help_text="Say what you think of the plan. If you want changes, say what they are.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=3000,
    )


class PrepareForm(NhsForm):
    say = forms.CharField(
        label="What I want to say",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1500,
        error_messages={"required": "Write what you want to say"},
    )
    matters = forms.CharField(
        label="What matters most to me", widget=forms.Textarea(attrs={"rows": 3}), max_length=1500, required=False
    )
    who = forms.CharField(label="Who I would like there", max_length=500, required=False)


SHARING_HELP = {
    ConsentKind.NHS: "Your GP, mental health teams and other NHS services who care for you.",
    ConsentKind.VCFSE: "Charities and community groups who help you, such as with housing or money.",
    ConsentKind.LOCAL_AUTHORITY: "Your council, for example social care or housing.",
    ConsentKind.PEER_SUPPORT: "Peer support workers: people who have lived with mental illness and now help others.",
}


class SharingForm(NhsForm):
    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in ConsentKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                help_text=SHARING_HELP[kind],
                choices=[("yes", "Yes, share my record"), ("no", "No, do not share")],
                widget=forms.RadioSelect,
                initial="yes" if getattr(person, f"consent_{kind.value}") else "no",
                error_messages={"required": f"Select yes or no for {kind.label.lower()}"},
            )

    def choices(self):
        return {kind: self.cleaned_data[kind] == "yes" for kind in ConsentKind.values}


class ConcernForm(NhsForm):
    concern = forms.CharField(
        label="What worries you?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Tell us what worries you"},
    )


class HelperForm(NhsForm):
    kind = forms.ChoiceField(
        label="Who are they?",
        choices=HelperKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select carer or advocate"},
    )
    name = forms.CharField(label="Their name", max_length=200, error_messages={"required": "Enter their name"})
    nhs_number = forms.CharField(
        label="Their NHS number",
        help_text="They sign in with their own NHS login. For example, 999 123 4567.",
        max_length=14,
        error_messages={"required": "Enter their NHS number"},
    )
    birthdate = NhsDateField(label="Their date of birth", help_text="For example, 27 3 1980.")
    may_act = forms.ChoiceField(
        label="What can they do?",
        choices=[("see", "See my plan and appointments"), ("act", "See them, and answer for me")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what they can do"},
    )
    until = NhsDateField(label="Until when?", help_text="The last day they can help. For example, 31 12 2027.")


class SelfDialogForm(DialogForm):
    """Care's DIALOG form, filled in by the person: no date (it is today), questions to "you"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["taken_on"]
        for name, field in self.fields.items():
            if name.startswith("help_"):
                field.error_messages["required"] = field.error_messages["required"].replace(
                    "the person wants", "you want"
                )


class BookingAnswerForm(NhsForm):
    answer = forms.ChoiceField(
        label="Can you come?",
        choices=[("confirm", "Yes, I can come"), ("change", "No, I need a different time")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select if you can come or need a different time"},
    )
    times = forms.CharField(
        label="If you need a different time, which days and times suit you?",
        help_text="For example, Tuesday or Thursday mornings.",
        required=False,
        max_length=500,
    )


class AboutMeForm(NhsForm):
    story = forms.CharField(
        label="My story",
        help_text="What you want the people who help you to know. You only need to tell it once.",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=10000,
    )
    needs = forms.MultipleChoiceField(
        label="Help I need to read, hear or talk with you",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    preferred_channel = forms.ChoiceField(
        label="How would you like us to contact you?", choices=[], widget=forms.RadioSelect, required=False
    )
    safe_times = forms.CharField(label="Good times to contact you", max_length=200, required=False)
    no_voicemail = forms.BooleanField(label="Please do not leave voicemail", required=False)

    def __init__(self, *args, **kwargs):
        from joinedup.people.models import CommunicationNeed, ContactChannel

        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = CommunicationNeed._meta.get_field("need").choices
        self.fields["preferred_channel"].choices = ContactChannel.choices
