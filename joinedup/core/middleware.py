"""Refuses input no page can use before it reaches a view."""

from django.shortcuts import render

NUL = "\x00"


def _has_nul(query_dict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists())


class RefuseNulCharactersMiddleware:
    """A NUL character has no place in a web address or a form field, and PostgreSQL cannot store or compare one
    (a query with it fails: a 500). Refused at the door with a 400 that says so, whichever page was asked for.
    Uploaded files are not read here: their importers check their own contents."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            return render(request, "errors/400.jinja", {"problem": "it contained a NUL character"}, status=400)
        return self.get_response(request)
