"""A small Bulk Data client written only from the HL7 FHIR Bulk Data Access 2.0 specification
(https://hl7.org/fhir/uv/bulkdata/export.html), with none of the server's code: kick-off, status polling that
honours Retry-After, the completion manifest, and NDJSON files fetched with the access token when the manifest
says one is needed. It talks HTTP through any client with `get`/`delete` (Django's test client here)."""

import json
import time
from dataclasses import dataclass, field


class BulkError(Exception):
    pass


@dataclass
class Export:
    manifest: dict
    resources: dict[str, list[dict]] = field(default_factory=dict)  # type -> every resource of the files


class BulkClient:
    def __init__(self, http, base: str, token: str, *, sleep=time.sleep, max_polls: int = 50):
        self.http, self.base, self.token = http, base.rstrip("/") + "/", token
        self.sleep, self.max_polls = sleep, max_polls

    def _auth(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def kick_off(self, path: str = "$export", **params) -> str:
        """Returns the status URL (Content-Location). Spec: Accept application/fhir+json, Prefer respond-async."""
        response = self.http.get(
            self.base + path,
            params,
            HTTP_ACCEPT="application/fhir+json",
            HTTP_PREFER="respond-async",
            **self._auth(),
        )
        if response.status_code != 202:
            raise BulkError(f"kick-off answered {response.status_code}: {response.content[:300]!r}")
        return response["Content-Location"]

    def wait(self, status_url: str) -> dict:
        """Poll until complete: 202 means in progress (X-Progress, Retry-After); 200 carries the manifest."""
        for _ in range(self.max_polls):
            response = self.http.get(status_url, HTTP_ACCEPT="application/json", **self._auth())
            if response.status_code == 200:
                return json.loads(response.content)
            if response.status_code in (202, 429):
                self.sleep(int(response.get("Retry-After", "1")))
                continue
            raise BulkError(f"status answered {response.status_code}: {response.content[:300]!r}")
        raise BulkError("the export did not finish")

    def download(self, manifest: dict) -> Export:
        export = Export(manifest)
        headers = self._auth() if manifest.get("requiresAccessToken") else {}
        for item in manifest["output"]:
            response = self.http.get(item["url"], HTTP_ACCEPT="application/fhir+ndjson", **headers)
            if response.status_code != 200:
                raise BulkError(f"file answered {response.status_code}")
            body = b"".join(response.streaming_content) if response.streaming else response.content
            lines = [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]
            export.resources.setdefault(item["type"], []).extend(lines)
        return export

    def export(self, path: str = "$export", **params) -> Export:
        return self.download(self.wait(self.kick_off(path, **params)))

    def cancel(self, status_url: str) -> int:
        return self.http.delete(status_url, **self._auth()).status_code
