"""Numbers read from a web address or a form: a page number, a row's id. Anything else is not a crash."""

from django.http import Http404

MAX_PAGE = 100_000  # far beyond any list here; larger page numbers would overflow the database's OFFSET
MAX_ID = 2**63 - 1  # the largest id a database column holds


def whole_number(value, *, maximum: int) -> int | None:
    """The value as a whole number from 0 to `maximum`, or None (empty, not a number, too large)."""
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value.isascii() or not value.isdigit() or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def page_number(request, name: str = "page") -> int:
    """The page asked for in `?page=`: 1 when missing or not a number; 404 for a page beyond any list."""
    raw = request.GET.get(name, "")
    page = whole_number(raw, maximum=MAX_PAGE)
    if page is None and raw.strip().isascii() and raw.strip().isdigit():
        raise Http404("There is no such page")
    return max(page or 1, 1)


def row_id(value) -> int | None:
    """A row's id sent back by a form (e.g. `remove=`): None when it cannot be one."""
    number = whole_number(value, maximum=MAX_ID)
    return number if number else None
