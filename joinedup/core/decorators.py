"""Declaring what a page needs, so the URL walk test can check every page against the policy."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .access import may


def requires(perm: str):
    """A page that is not about one person but needs a permission (search, lists, governance)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not may(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm
        return wrapped

    return decorate
