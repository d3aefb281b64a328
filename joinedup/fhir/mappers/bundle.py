"""Search results as a searchset Bundle, with paging links."""

from fhir.resources.R4B.bundle import Bundle


def searchset(*, base: str, resource_type: str, resources, search, total: int | None, more: bool) -> Bundle:
    url = base + resource_type
    links = [{"relation": "self", "url": search.link(url, offset=search.offset)}]
    if more:
        links.append({"relation": "next", "url": search.link(url, offset=search.offset + search.count)})
    if search.offset:
        links.append({"relation": "previous", "url": search.link(url, offset=max(search.offset - search.count, 0))})
    data = {
        "type": "searchset",
        "link": links,
        "entry": [{"fullUrl": f"{url}/{r.id}", "resource": r, "search": {"mode": "match"}} for r in resources],
    }
    if total is not None:
        data["total"] = total
    return Bundle.model_validate(data)
