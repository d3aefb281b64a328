"""The header's navigation: what the signed-in user's roles let them use."""

from django.urls import reverse

from joinedup.accounts.roles import Perm
from joinedup.core.access import may

_ITEMS = [
    (Perm.SEARCH_PEOPLE, "people:search", "Find a person"),
    (Perm.REVIEW_AUDIT, "governance:emergency_access", "Emergency access review"),
    (Perm.REVIEW_AUDIT, "governance:audit", "Audit trail"),
]


def main_nav(request):
    user = request.user
    if not user.is_authenticated:
        return []
    items = []
    for perm, name, text in _ITEMS:
        if may(user, perm):
            href = reverse(name)
            items.append({"href": href, "text": text, "current": request.path == href})
    return items
