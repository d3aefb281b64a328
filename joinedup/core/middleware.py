"""Refuses input no page can use before it reaches a view."""

from django.shortcuts import render

NUL = "\x00"


def _has_nul(query_dict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists())


def refuse_nul_in_form(request):
    """The 400 page when a posted form field holds a NUL character, else None."""
    if request.method == "POST" and _has_nul(request.POST):
        return render(request, "errors/400.jinja", {"problem": "it contained a NUL character"}, status=400)
    return None


def reads_its_own_upload(view):
    """For a view that must set its upload handlers (a size limit) before the body is read: the middleware leaves
    the form to it, and the view calls `refuse_nul_in_form` once its handlers are in place."""
    view.reads_its_own_upload = True
    return view


class RefuseNulCharactersMiddleware:
    """A NUL character has no place in a web address or a form field, and PostgreSQL cannot store or compare one
    (a query with it fails: a 500). Refused at the door with a 400 that says so, whichever page was asked for.
    Uploaded files are not read here: their importers check their own contents. The form is checked once the view
    is known (`process_view`), so a view that limits its uploads can set its handlers before anything reads the
    body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or _has_nul(request.GET):
            return render(request, "errors/400.jinja", {"problem": "it contained a NUL character"}, status=400)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "reads_its_own_upload", False):
            return None
        return refuse_nul_in_form(request)
