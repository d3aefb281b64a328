"""Form base class and fields with NHS.UK behaviour: dates in three boxes, free text without markup."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from joinedup.core.dates import MONTHS, DateParseError, make_date
from joinedup.core.validators import validate_no_markup

from .rendering import NhsBoundField


def _digits(text: str) -> bool:
    """Digits int() can read: str.isdigit() also says yes to "¹" and "٣"."""
    return text.isascii() and text.isdigit()


class NhsForm(forms.Form):
    """Every field renders through the NHS.UK macros; every text field refuses markup."""

    bound_field_class = NhsBoundField
    default_error_messages = {}

    def add_service_error(self, error: ValidationError) -> None:
        """A service refused the change: show its reasons against the fields they name, the rest at the top."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and validate_no_markup not in field.validators:
                field.validators.append(validate_no_markup)


class NhsDateWidget(forms.MultiWidget):
    def __init__(self, attrs=None):
        super().__init__([forms.TextInput, forms.TextInput, forms.TextInput], attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return ["", "", ""]

    # The NHS.UK date input names its boxes name[day], name[month], name[year]; the dashed form is accepted too.
    def value_from_datadict(self, data, files, name):
        return [
            (data.get(f"{name}[{part}]") or data.get(f"{name}-{part}") or "").strip()
            for part in ("day", "month", "year")
        ]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}[{p}]" not in data and f"{name}-{p}" not in data for p in ("day", "month", "year"))


class NhsDateField(forms.Field):
    """The NHS.UK date input: day, month (number or name) and year, with the pattern's error messages."""

    widget = NhsDateWidget
    is_nhs_date = True

    def __init__(self, *, past_only=False, future_only=False, **kwargs):
        self.past_only = past_only
        self.future_only = future_only
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, dt.date):
            return value
        day, month, year = (value or ["", "", ""]) + [""] * (3 - len(value or []))
        label = str(self.label or "Date")
        if not (day or month or year):
            if self.required:
                raise ValidationError(f"Enter {label.lower()}", code="required")
            return None
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise ValidationError(f"{label} must include a {' and '.join(missing)}", code="incomplete")
        month_number = int(month) if _digits(month) else MONTHS.get(month.lower())
        if month_number is None or not _digits(day) or not _digits(year):
            raise ValidationError(f"{label} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid")
        try:
            return make_date(int(year), month_number, int(day))
        except DateParseError as e:
            raise ValidationError(f"{label} must be a real date", code="invalid") from e

    def validate(self, value):
        super().validate(value)
        from django.utils import timezone

        today = timezone.localdate()
        label = str(self.label or "Date")
        if value and self.past_only and value > today:
            raise ValidationError(f"{label} must be today or in the past", code="future")
        if value and self.future_only and value < today:
            raise ValidationError(f"{label} must be today or in the future", code="past")
