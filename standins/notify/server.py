import base64
import io
import json
import queue
import re
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt

TEMPLATES = json.loads((Path(__file__).with_name("templates.json")).read_text())
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MOBILE_RE = re.compile(r"^(?:\+447|447|07)\d{9}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
PLACEHOLDER_RE = re.compile(r"\(\(([^)]+)\)\)")
SIMULATED = {
    "07700900002": "permanent-failure",
    "07700900003": "temporary-failure",
    "perm-fail@simulator.notify": "permanent-failure",
    "temp-fail@simulator.notify": "temporary-failure",
}
MM = 72 / 25.4  # PDF points per millimetre


def api_key_for(service_id: str, secret: str, name: str = "joinedup_local") -> str:
    """Notify's key format: the key's name, the service id and the secret, joined by hyphens."""
    return f"{name}-{service_id}-{secret}"


class Refused(Exception):
    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def letter_problems(pdf: bytes) -> str:
    """What Notify's precompiled letter checks would refuse, or ""."""
    import pdfplumber

    if not pdf.startswith(b"%PDF"):
        return "Letter content is not a PDF"
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        if len(doc.pages) > 10:
            return f"Letter too long: {len(doc.pages)} pages, the most is 10"
        first = doc.pages[0]
        if abs(first.width - 210 * MM) > 2 or abs(first.height - 297 * MM) > 2:
            return "Letter is not A4"
        box = (24.6 * MM, 39.5 * MM, 120 * MM, 66.3 * MM)
        words = first.extract_words()
        inside = [
            w
            for w in words
            if w["x0"] >= box[0] - 1 and w["x1"] <= box[2] + 1 and w["top"] >= box[1] - 1 and w["bottom"] <= box[3] + 1
        ]
        touching = [
            w
            for w in words
            if w["x1"] > box[0] and w["x0"] < box[2] and w["bottom"] > box[1] and w["top"] < box[3] and w not in inside
        ]
        if touching:
            return "Content runs into the address block"
        lines: dict[int, list[str]] = {}
        for w in inside:
            lines.setdefault(round(w["top"]), []).append(w["text"])
        address = [" ".join(t) for _, t in sorted(lines.items())]
        if not 3 <= len(address) <= 7:
            return f"The address must be 3 to 7 lines, not {len(address)}"
        if not POSTCODE_RE.match(address[-1].upper()):
            return "The last line of the address must be a real UK postcode"
        for page in doc.pages:
            for w in page.extract_words():
                if (
                    w["x0"] < 15 * MM - 1
                    or w["x1"] > 195 * MM + 1
                    or w["top"] < 5 * MM - 1
                    or w["bottom"] > 292 * MM + 1
                ):
                    return "Content is outside the printable area"
    return ""


@dataclass
class NotifyStandIn:
    """Start with .start(); stop with .stop(). `sent` keeps every accepted notification."""

    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    callback_url: str = ""
    callback_token: str = ""
    port: int = 0
    check_letters: bool = True
    sent: list = field(default_factory=list)
    down: bool = False  # answer 500 to everything, as an outage would

    def __post_init__(self):
        self._lock = threading.Lock()
        self._callbacks: queue.Queue = queue.Queue()
        self.callbacks_sent: list = []
        self._server = None

    @property
    def api_key(self) -> str:
        return api_key_for(self.service_id, self.secret)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "NotifyStandIn":
        stand_in = self

        class Handler(_Handler):
            owner = stand_in

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="notify-standin").start()
        threading.Thread(target=self._post_callbacks, daemon=True, name="notify-callbacks").start()
        return self

    def stop(self) -> None:
        self._callbacks.put(None)
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.sent.clear()
            self.callbacks_sent.clear()

    def wait_for_callbacks(self, n: int, timeout: float = 10) -> None:
        end = time.monotonic() + timeout
        while len(self.callbacks_sent) < n and time.monotonic() < end:
            time.sleep(0.02)

    # The API ---------------------------------------------------------------------------------------------------

    def check_token(self, header: str) -> None:
        if not header.startswith("Bearer "):
            raise Refused(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = header[len("Bearer ") :]
        try:
            unverified = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Refused(403, "AuthError", "Invalid token: signature, api token is not valid") from None
        if unverified.get("alg") != "HS256" or unverified.get("typ", "JWT") != "JWT":
            raise Refused(403, "AuthError", "Invalid token: algorithm used is not HS256")
        if claims.get("iss") != self.service_id:
            raise Refused(403, "AuthError", "Invalid token: service not found")
        if not isinstance(claims.get("iat"), int):
            raise Refused(403, "AuthError", "Invalid token: iat field not provided")
        if abs(time.time() - claims["iat"]) > 30:
            raise Refused(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        try:
            jwt.decode(token, self.secret, algorithms=["HS256"], options={"verify_iat": False, "verify_exp": False})
        except jwt.PyJWTError:
            raise Refused(403, "AuthError", "Invalid token: signature, api token not found") from None

    def _template(self, body: dict, kind: str) -> dict:
        template_id = body.get("template_id")
        if not isinstance(template_id, str) or not UUID_RE.match(template_id):
            raise Refused(400, "ValidationError", "template_id is not a valid UUID")
        template = next((t for t in TEMPLATES.values() if t["id"] == template_id), None)
        if template is None:
            raise Refused(400, "BadRequestError", "Template not found")
        if template["type"] != kind:
            raise Refused(
                400, "BadRequestError", f"{kind} template is not suitable for {template['type']} notification"
            )
        personalisation = body.get("personalisation") or {}
        if not isinstance(personalisation, dict):
            raise Refused(400, "ValidationError", "personalisation is not of type object")
        missing = [p for p in PLACEHOLDER_RE.findall(template["body"]) if p not in personalisation]
        if missing:
            raise Refused(400, "BadRequestError", f"Missing personalisation: {', '.join(sorted(set(missing)))}")
        return template

    def _reference(self, body: dict, required: bool = False) -> str:
        reference = body.get("reference")
        if reference is None and not required:
            return ""
        if not isinstance(reference, str) or not reference or len(reference) > 1000:
            raise Refused(400, "ValidationError", "reference is a required property" if required else "reference")
        return reference

    def accept(self, kind: str, body: dict) -> dict:
        if not isinstance(body, dict):
            raise Refused(400, "ValidationError", "Request body is not a JSON object")
        if kind == "sms":
            template = self._template(body, "sms")
            to = re.sub(r"[\s()-]", "", str(body.get("phone_number") or ""))
            if not MOBILE_RE.match(to):
                raise Refused(400, "ValidationError", "phone_number Not a UK mobile number")
        elif kind == "email":
            template = self._template(body, "email")
            to = str(body.get("email_address") or "")
            if not EMAIL_RE.match(to):
                raise Refused(400, "ValidationError", "email_address Not a valid email address")
        else:
            template = None
            try:
                pdf = base64.b64decode(str(body.get("content") or ""), validate=True)
            except ValueError:
                raise Refused(400, "ValidationError", "content is not base64 encoded") from None
            problem = letter_problems(pdf) if self.check_letters else ("" if pdf.startswith(b"%PDF") else "Not a PDF")
            if problem:
                raise Refused(400, "ValidationError", problem)
            to = "letter"
        reference = self._reference(body, required=kind == "letter")
        notification = {
            "id": str(uuid.uuid4()),
            "reference": reference,
            "type": kind,
            "to": to,
            "template_id": template["id"] if template else "",
            "personalisation": body.get("personalisation") or {},
            "status": "created",
            "created_at": _now(),
        }
        with self._lock:
            self.sent.append(notification)
        if self.callback_url:
            self._callbacks.put(notification)
        if kind == "letter":
            return {"id": notification["id"], "reference": reference, "postage": body.get("postage", "second")}
        content = {
            "body": PLACEHOLDER_RE.sub(lambda m: str(notification["personalisation"][m.group(1)]), template["body"])
        }
        return {
            "id": notification["id"],
            "reference": reference or None,
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification['id']}",
            "template": {"id": template["id"], "version": 1, "uri": f"{self.url}/v2/template/{template['id']}"},
        }

    def find(self, reference: str | None = None, notification_id: str | None = None) -> list[dict]:
        with self._lock:
            return [
                n
                for n in self.sent
                if (reference is None or n["reference"] == reference)
                and (notification_id is None or n["id"] == notification_id)
            ]

    def _post_callbacks(self) -> None:
        while (notification := self._callbacks.get()) is not None:
            status = SIMULATED.get(notification["to"], "received" if notification["type"] == "letter" else "delivered")
            notification["status"] = status
            payload = {
                "id": notification["id"],
                "reference": notification["reference"],
                "to": notification["to"],
                "status": status,
                "created_at": notification["created_at"],
                "completed_at": _now(),
                "sent_at": _now(),
                "notification_type": notification["type"],
            }
            request = urllib.request.Request(  # noqa: S310  (a loopback URL the test or demo gave)
                self.callback_url,
                data=json.dumps(payload).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.callback_token}"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                    self.callbacks_sent.append((payload, answer.status))
            except Exception as e:  # noqa: BLE001  (Notify retries callbacks; the stand-in records and moves on)
                self.callbacks_sent.append((payload, getattr(e, "code", 0)))


class _Handler(BaseHTTPRequestHandler):
    owner: NotifyStandIn
    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes: with Nagle's algorithm on, the body waited for the client's
    # delayed acknowledgement (40 ms) on every kept-alive request, which no real Notify does.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _refuse(self, refused: Refused) -> None:
        self._answer(
            refused.status,
            {"errors": [{"error": refused.error, "message": refused.message}], "status_code": refused.status},
        )

    def _handle(self, method: str) -> None:
        owner = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if owner.down:
            self._answer(
                500, {"errors": [{"error": "Exception", "message": "Internal server error"}], "status_code": 500}
            )
            return
        path = urlsplit(self.path)
        try:
            owner.check_token(self.headers.get("Authorization", ""))
            if method == "POST":
                kind = {
                    "/v2/notifications/sms": "sms",
                    "/v2/notifications/email": "email",
                    "/v2/notifications/letter": "letter",
                }.get(path.path)
                if kind is None:
                    raise Refused(404, "ResourceNotFound", "The requested URL was not found on the server.")
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    raise Refused(400, "BadRequestError", "Invalid JSON supplied in POST data") from None
                self._answer(201, owner.accept(kind, body))
            elif path.path == "/v2/notifications":
                reference = parse_qs(path.query).get("reference", [None])[0]
                found = owner.find(reference=reference)
                self._answer(200, {"notifications": found, "links": {"current": self.path}})
            elif path.path.startswith("/v2/notifications/"):
                found = owner.find(notification_id=path.path.rsplit("/", 1)[1])
                if not found:
                    raise Refused(404, "NoResultFound", "No result found")
                self._answer(200, found[0])
            else:
                raise Refused(404, "ResourceNotFound", "The requested URL was not found on the server.")
        except Refused as refused:
            self._refuse(refused)

    def do_POST(self):  # noqa: N802
        self._handle("POST")

    def do_GET(self):  # noqa: N802
        self._handle("GET")
