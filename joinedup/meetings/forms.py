import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.care.models import LevelOfCare
from joinedup.nhsuk_forms.fields import NhsDateField, NhsForm

from .models import AttendanceStatus, AttendeeKind, TookPart

ACTION_SLOTS = 3
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(am|pm)?$", re.I)


def parse_time(text: str) -> dt.time:
    m = _TIME.match((text or "").strip())
    if not m:
        raise ValidationError("Enter the time like 10:30 or 2:15pm")
    hour, minute, half = int(m.group(1)), int(m.group(2)), (m.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ValidationError("Enter the time like 10:30 or 2:15pm")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValidationError("Enter a real time, like 10:30")
    return dt.time(hour, minute)


class MeetingForm(NhsForm):
    date = NhsDateField(label="Date", future_only=True, help_text="For example, 3 3 2026")
    time = forms.CharField(
        label="Start time", max_length=10, help_text="For example, 10:30", error_messages={"required": "Enter the time"}
    )
    place = forms.CharField(label="Place (optional if there is a video link)", max_length=300, required=False)
    video_link = forms.CharField(label="Video link (optional)", max_length=500, required=False)
    capacity = forms.IntegerField(
        label="How many people can be discussed",
        min_value=1,
        max_value=40,
        error_messages={
            "required": "Enter how many people can be discussed",
            "invalid": "Capacity must be a whole number",
            "min_value": "Capacity must be at least 1",
            "max_value": "Capacity must be 40 or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean_time(self):
        return parse_time(self.cleaned_data["time"])

    @classmethod
    def initial_for(cls, meeting) -> dict:
        local = timezone.localtime(meeting.starts_at)
        return {
            "date": local.date(),
            "time": local.strftime("%H:%M"),
            "place": meeting.place,
            "video_link": meeting.video_link,
            "capacity": meeting.capacity,
        }

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "starts_at": timezone.make_aware(dt.datetime.combine(d["date"], d["time"])),
            "capacity": d["capacity"],
            "place": d["place"],
            "video_link": d["video_link"],
        }


class CancelForm(NhsForm):
    move_to = forms.ChoiceField(
        label="Move everyone on the agenda to",
        help_text="Later meetings of this EMDT with room for them all",
        choices=[],
        required=False,
    )
    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        help_text="For example, a bank holiday or the chair is unwell. It is kept with each person's move.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Enter why the meeting is cancelled",
            "max_length": "The reason must be 300 characters or fewer",
        },
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._meetings = {str(m.pk): m for m in meetings}
        self.fields["move_to"].choices = [("", "Choose a meeting")] + [(str(m.pk), m.label) for m in meetings]

    def chosen_meeting(self):
        return self._meetings.get(self.cleaned_data.get("move_to") or "")


class AttendanceForm(NhsForm):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the name"})
    organisation = forms.ChoiceField(
        label="Organisation", choices=[], error_messages={"required": "Select their organisation"}
    )
    kind = forms.ChoiceField(
        label="How they take part",
        choices=AttendeeKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they take part"},
    )
    service = forms.ChoiceField(label="Service they bring (for invited professionals)", choices=[], required=False)
    status = forms.ChoiceField(
        label="Attendance",
        choices=AttendanceStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they were invited, attended or sent apologies"},
    )

    def __init__(self, *args, organisations=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._orgs = {str(o.pk): o for o in organisations}
        self._services = {s.code: s for s in services}
        self.fields["organisation"].choices = [("", "Select an organisation")] + [
            (str(o.pk), o.name) for o in organisations
        ]
        self.fields["service"].choices = [("", "None")] + [(s.code, s.name) for s in services]

    def clean_organisation(self):
        org = self._orgs.get(self.cleaned_data["organisation"])
        if org is None:
            raise ValidationError("Select an organisation from the list")
        return org

    def clean_service(self):
        return self._services.get(self.cleaned_data.get("service") or "")


class MoveForm(NhsForm):
    meeting = forms.ChoiceField(label="Later meeting", choices=[], error_messages={"required": "Choose a meeting"})
    reason = forms.CharField(
        label="Why is the person being moved?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why the person is being moved"},
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._meetings = {str(m.pk): m for m in meetings}
        self.fields["meeting"].choices = [("", "Choose a meeting")] + [(str(m.pk), m.label) for m in meetings]

    def chosen_meeting(self):
        return self._meetings.get(self.cleaned_data.get("meeting") or "")


class WordsForm(NhsForm):
    words = forms.CharField(
        label="What do you want from the discussion?",
        help_text="In the person's own words, written with them",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what the person wants from the discussion, in their own words"},
    )


class OutcomeForm(NhsForm):
    took_part = forms.ChoiceField(
        label="Did the person attend, and how did they take part?",
        choices=TookPart.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person attended and how they took part"},
    )
    took_part_note = forms.CharField(label="More about how they took part (optional)", max_length=1000, required=False)
    discussion = forms.CharField(
        label="What was discussed",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=6000,
        error_messages={"required": "Enter what was discussed"},
    )
    plan_changes = forms.CharField(
        label="Changes to the care plan (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    key_worker = forms.ChoiceField(label="Key worker (name or confirm)", choices=[], required=False)
    level_of_care = forms.ChoiceField(
        label="Level of care (if it changes)", choices=[("", "No change")] + list(LevelOfCare.choices), required=False
    )
    level_reason = forms.CharField(label="Reason for the change of level (optional)", max_length=500, required=False)
    next_review = NhsDateField(label="Next review date (optional)", required=False, future_only=True)
    summary_for_person = forms.CharField(
        label="Summary for the person",
        help_text="Plain English, written to the person: what was agreed and who will do what",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=6000,
        error_messages={"required": "Enter the summary for the person, in plain English"},
    )
    summary_for_gp = forms.CharField(
        label="Summary for the GP",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=6000,
        error_messages={"required": "Enter the summary for the GP"},
    )

    def __init__(self, *args, owners=(), action_owners=None, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        action_owners = owners if action_owners is None else action_owners
        self._owners = {str(u.pk): u for u in (*owners, *action_owners)}
        self._organisations = {f"org-{o.pk}": o for o in organisations}
        self.fields["key_worker"].choices = [("", "No change")] + [(str(u.pk), self.owner_label(u)) for u in owners]
        # Action owners: the care team and those recorded as attending (see queries.ActionOwners), and the care
        # team's organisations with no named person (its care team members do it).
        owner_choices = [("", "Choose an owner")] + [(str(u.pk), self.owner_label(u)) for u in action_owners]
        owner_choices += [(key, f"{o.name} (any of its care team members)") for key, o in self._organisations.items()]
        for n in range(1, ACTION_SLOTS + 1):
            self.fields[f"action_{n}_description"] = forms.CharField(
                label=f"Action {n}: what will be done (optional)", max_length=500, required=False
            )
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label=f"Action {n}: owner", choices=owner_choices, required=False
            )
            self.fields[f"action_{n}_due"] = NhsDateField(label=f"Action {n}: due date", required=False)

    @staticmethod
    def owner_label(user):
        org = user.primary_organisation
        return f"{user.get_full_name() or user.username}" + (f", {org.name}" if org else "")

    def action_slots(self):
        return [
            (self[f"action_{n}_description"], self[f"action_{n}_owner"], self[f"action_{n}_due"])
            for n in range(1, ACTION_SLOTS + 1)
        ]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "took_part": d["took_part"],
            "took_part_note": d["took_part_note"],
            "discussion": d["discussion"],
            "plan_changes": d["plan_changes"],
            "key_worker": self._owners.get(d.get("key_worker") or ""),
            "level_of_care": d["level_of_care"],
            "level_reason": d["level_reason"],
            "next_review": d.get("next_review"),
            "summary_for_person": d["summary_for_person"],
            "summary_for_gp": d["summary_for_gp"],
            "actions": [
                {
                    "description": d.get(f"action_{n}_description", ""),
                    "owner": self._owners.get(d.get(f"action_{n}_owner") or ""),
                    "owner_organisation": self._organisations.get(d.get(f"action_{n}_owner") or ""),
                    "due": d.get(f"action_{n}_due"),
                }
                for n in range(1, ACTION_SLOTS + 1)
            ],
        }


class ActionDoneForm(NhsForm):
    note = forms.CharField(label="What was done (optional)", max_length=1000, required=False)
