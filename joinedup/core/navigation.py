"""The header's navigation: what the signed-in user's roles let them use.

Each app adds its own items from its AppConfig.ready() with `nav_item(...)`; the header shows the ones the
user's permissions allow, in `order`.
"""

from dataclasses import dataclass

from django.urls import reverse

from joinedup.core.access import may


@dataclass(frozen=True)
class NavItem:
    perm: str
    url_name: str
    text: str
    order: int


_ITEMS: list[NavItem] = []


def nav_item(*, perm: str, url_name: str, text: str, order: int = 100) -> None:
    if any(i.url_name == url_name for i in _ITEMS):
        return
    _ITEMS.append(NavItem(perm, url_name, text, order))
    _ITEMS.sort(key=lambda i: i.order)


def main_nav(request):
    user = request.user
    if not user.is_authenticated:
        return []
    items = []
    for item in _ITEMS:
        if may(user, item.perm):
            href = reverse(item.url_name)
            items.append({"href": href, "text": item.text, "current": request.path == href})
    return items


@dataclass(frozen=True)
class PersonNavItem:
    perm: str
    url_name: str
    text: str
    order: int


_PERSON_ITEMS: list[PersonNavItem] = []


def person_nav_item(*, perm: str, url_name: str, text: str, order: int = 100) -> None:
    """A link on every page about a person, to this service's page for them (shown when the user may use it)."""
    if any(i.url_name == url_name for i in _PERSON_ITEMS):
        return
    _PERSON_ITEMS.append(PersonNavItem(perm, url_name, text, order))
    _PERSON_ITEMS.sort(key=lambda i: i.order)


def person_nav(request, person):
    items = []
    for item in _PERSON_ITEMS:
        if may(request.user, item.perm, person):
            href = reverse(item.url_name, args=[person.pk])
            items.append({"href": href, "text": item.text, "current": request.path == href})
    return items
