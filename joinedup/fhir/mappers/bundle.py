"""Search results as a searchset Bundle, with paging links; a resource's versions as a history Bundle."""

from fhir.resources.R4B.bundle import Bundle


def _key(resource) -> tuple[str, str]:
    if isinstance(resource, dict):
        return resource["resourceType"], resource["id"]
    return resource.get_resource_type(), resource.id


def searchset(
    *, base: str, resource_type: str, resources, search, total: int | None, more: bool, included=()
) -> Bundle:
    url = base + resource_type
    links = [{"relation": "self", "url": search.link(url, offset=search.offset)}]
    if more:
        links.append({"relation": "next", "url": search.link(url, offset=search.offset + search.count)})
    if search.offset:
        links.append({"relation": "previous", "url": search.link(url, offset=max(search.offset - search.count, 0))})
    entries = [{"fullUrl": f"{url}/{_key(r)[1]}", "resource": r, "search": {"mode": "match"}} for r in resources]
    entries += [{"fullUrl": base + "/".join(_key(r)), "resource": r, "search": {"mode": "include"}} for r in included]
    data = {"type": "searchset", "link": links, "entry": entries}
    if total is not None:
        data["total"] = total
    return Bundle.model_validate(data)


def history(*, base: str, versions: list[dict]) -> Bundle:
    """Every version of one resource, newest first."""
    entries = []
    for index, resource in enumerate(versions):
        kind, rid = _key(resource)
        version = resource["meta"]["versionId"]
        first = index == len(versions) - 1
        entries.append(
            {
                "fullUrl": f"{base}{kind}/{rid}",
                "resource": resource,
                "request": {"method": "POST" if first else "PUT", "url": f"{kind}/{rid}"},
                "response": {
                    "status": "201 Created" if first else "200 OK",
                    "etag": f'W/"{version}"',
                    "lastModified": resource["meta"].get("lastUpdated"),
                },
            }
        )
    return Bundle.model_validate({"type": "history", "total": len(entries), "entry": entries})
