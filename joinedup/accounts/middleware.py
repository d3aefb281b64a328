"""Every page needs sign-in, with both factors, unless its view opts out by name."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


def public(view):
    """Mark a view as open without sign-in (the sign-in pages, the health check)."""
    view.sign_in_not_required = True
    return view


def before_second_factor(view):
    """Mark a view as reachable after the password but before the second factor."""
    view.second_factor_not_required = True
    return view


CIS2_SESSION_KEY = "signed_in_with_cis2"


class SignInRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(CIS2_SESSION_KEY) and request.user.is_authenticated:
            request.user.signed_in_with_cis2 = True
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "sign_in_not_required", False):
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
        if not user.is_verified_or_skipped and not getattr(view_func, "second_factor_not_required", False):
            return redirect("accounts:second_factor")
        return None


class NoStoreMiddleware:
    """Pages are never kept by the browser or a proxy: after signing out, the back button cannot show a page
    that was open (it asks the server again, which asks for sign-in). A view that sets its own caching (static
    files, downloads that say otherwise) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.cache import add_never_cache_headers

        response = self.get_response(request)
        if not response.has_header("Cache-Control") and not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
        return response
