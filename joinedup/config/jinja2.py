"""The Jinja2 environment: NHS.UK macros, our components, and a few helpers for templates."""

from django.conf import settings
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from joinedup.core.dates import format_date
from joinedup.core.navigation import main_nav, person_nav
from joinedup.core.validators import format_nhs_number
from joinedup.nhsuk_forms.rendering import error_summary
from joinedup.people.presenters import record_withheld_because


def url(name, *args, **kwargs):
    return reverse(name, args=args or None, kwargs=kwargs or None)


def format_datetime(value):
    if value is None:
        return ""
    from django.utils import timezone

    local = timezone.localtime(value)
    return f"{format_date(local)} at {local.strftime('%H:%M')}"


def environment(**options):
    loader = options.pop("loader")
    options.pop("undefined", None)
    options.pop("autoescape", None)
    env = Environment(
        loader=ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja")]),
        undefined=ChainableUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    env.globals.update(
        url=url,
        static=static,
        error_summary=error_summary,
        main_nav=main_nav,
        person_nav=person_nav,
        record_withheld_because=record_withheld_because,
        get_messages=messages.get_messages,
        service_name="Joined Up",
        environment_name=settings.ENVIRONMENT,
    )
    env.filters.update(date=format_date, datetime=format_datetime, nhs_number=format_nhs_number)
    return env
