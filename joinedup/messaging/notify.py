"""GOV.UK Notify through its own client (notifications-python-client), at the base URL the settings name: the real
Notify in production, the local stand-in (standins/notify) in the demo and tests.

Each call answers the Notify notification id, or raises Permanent (Notify refused this message: a bad template id,
phone number or address; sending it again would fail again) or Temporary (Notify could not be reached or asked us
to slow down: try again later)."""

import io

from django.conf import settings
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException


class Permanent(Exception):
    pass


class Temporary(Exception):
    pass


def client() -> NotificationsAPIClient:
    if not settings.NOTIFY_API_KEY or not settings.NOTIFY_BASE_URL:
        raise Temporary("GOV.UK Notify is not set up: set JOINEDUP_NOTIFY_API_KEY and JOINEDUP_NOTIFY_BASE_URL")
    return NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=10)


def _reason(error: HTTPError) -> str:
    message = error.message
    if isinstance(message, list):
        message = "; ".join(str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in message)
    return f"Notify said ({error.status_code}): {message}"[:300]


def _call(fn, *args, **kwargs) -> str:
    try:
        response = fn(*args, **kwargs)
    except HTTPError as e:
        if e.status_code in (400, 403) or (400 <= (e.status_code or 0) < 500 and e.status_code != 429):
            raise Permanent(_reason(e)) from e
        raise Temporary(_reason(e)) from e
    except RequestException as e:
        raise Temporary(f"Notify could not be reached: {type(e).__name__}") from e
    return response["id"]


def send_text(api, *, phone, template_id, personalisation, reference) -> str:
    return _call(
        api.send_sms_notification,
        phone_number=phone,
        template_id=template_id,
        personalisation=personalisation,
        reference=reference,
    )


def send_email(api, *, email, template_id, personalisation, reference) -> str:
    return _call(
        api.send_email_notification,
        email_address=email,
        template_id=template_id,
        personalisation=personalisation,
        reference=reference,
    )


def send_letter(api, *, pdf: bytes, reference) -> str:
    return _call(api.send_precompiled_letter_notification, reference=reference, pdf_file=io.BytesIO(pdf))


def already_sent(api, reference: str) -> str:
    """The id of a notification Notify already holds under our reference, or "" (a worker died after sending)."""
    try:
        found = api.get_all_notifications(reference=reference)
    except HTTPError as e:
        raise Temporary(_reason(e)) from e
    except RequestException as e:
        raise Temporary(f"Notify could not be reached: {type(e).__name__}") from e
    notifications = found.get("notifications", [])
    return notifications[0]["id"] if notifications else ""
