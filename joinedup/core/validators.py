"""Validators shared by forms, services and the API, so every way in refuses the same bad input."""

import re

import nhs_number
from django.core.exceptions import ValidationError
from django.utils import timezone

MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|javascript:", re.IGNORECASE)


def normalise_nhs_number(value: str) -> str:
    """Digits only: people type spaces and hyphens (943 476 5919, 943-476-5919)."""
    return re.sub(r"[\s-]", "", value or "")


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not (digits.isascii() and digits.isdigit()) or len(digits) != 10:
        raise ValidationError("NHS number must be 10 digits", code="nhs_number_length")
    if nhs_number.calculate_checksum(digits[:9]) != int(digits[9]):
        raise ValidationError(
            "NHS number is not valid: check the digits (the last digit is a check digit)",
            code="nhs_number_check",
        )
    if not nhs_number.is_valid(digits):
        raise ValidationError(
            "NHS number is not in a range that is ever issued: check the digits", code="nhs_number_range"
        )


def format_nhs_number(value: str | None) -> str:
    """Shown as 3-3-4: 943 476 5919."""
    if not value:
        return ""
    return f"{value[:3]} {value[3:6]} {value[6:]}"


def validate_no_markup(value: str) -> None:
    if value and MARKUP.search(value):
        raise ValidationError(
            "Remove the angle brackets (< and >) or web addresses starting 'javascript:' - "
            "they look like code and cannot be saved",
            code="markup",
        )


def validate_not_future(value) -> None:
    if value and value > timezone.localdate():
        raise ValidationError("Date must be today or in the past", code="future")


def validate_uk_postcode(value: str) -> None:
    if value and not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", value.upper().strip()):
        raise ValidationError("Enter a real postcode, like PR1 8XB", code="postcode")


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s", "", (value or "").upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_after_1900(value) -> None:
    if value and value.year < 1900:
        raise ValidationError("Year must be 1900 or later", code="too_old")


def validate_phone(value: str) -> None:
    if value and not re.fullmatch(r"\+?[0-9 ()-]{7,20}", value):
        raise ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982", code="phone")
