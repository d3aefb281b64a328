from django import forms

from joinedup.nhsuk_forms.fields import NhsForm


class MailboxForm(NhsForm):
    ods_code = forms.CharField(
        label="Practice ODS code",
        max_length=10,
        help_text="For example P81001",
        error_messages={"required": "Enter the practice's ODS code"},
    )
    mailbox_id = forms.CharField(
        label="MESH mailbox ID",
        max_length=20,
        help_text="The practice's MESH mailbox, for example P81001OT001",
        error_messages={"required": "Enter the MESH mailbox ID"},
    )
    active = forms.BooleanField(label="Send and receive files through MESH", required=False, initial=True)
