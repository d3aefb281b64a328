"""Locust users for P4 (bench/p4_load.py): members of staff going about their day.

Each simulated user takes a signed-in session of one of the demo personas (made by the runner), then, with
1-3 s between actions: searches by NHS number, opens a record, reads a timeline, opens My tasks, opens their
worklist or caseload, edits a care plan draft (the form read and posted back, as a browser does), and now and then
asks for the trivial view (`/health`), which is the baseline measured under the same load. One of the users is a
practice's care navigator who uploads the practice's SMI register (300 rows) every 10-20 s, through the upload page
as a browser does. Every request's time
is written to P4_TIMES when the run ends, so the runner computes the mix's p95 without the baseline in it."""

import json
import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["P4_PLAN"]).read())  # noqa: SIM115
TIMES: list[tuple[str, float, bool]] = []
_next_user = [0]


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    TIMES.append((name, response_time, exception is None))


@events.quitting.add_listener
def _save(environment, **kwargs):
    with open(os.environ["P4_TIMES"], "w") as f:
        json.dump(TIMES, f)


class FormFields(HTMLParser):
    """The fields of the draft's own form (posted back to the draft page), as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.fields, self.action, self.in_form, self.done, self.textarea, self.select = (
            [],
            None,
            False,
            False,
            None,
            None,
        )

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("method") or "").lower() == "post":
            action = a.get("action") or ""
            if action and not action.endswith("/plan/draft/"):
                return
            self.in_form, self.action = True, a.get("action")
        if not self.in_form:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append([a["name"], a.get("value") or ""])
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]
            self.fields.append(self.textarea)
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append([self.select, a.get("value") or ""])

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return match.group(1) if match else ""


class Staff(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        number = _next_user[0]
        _next_user[0] += 1
        me = PLAN["users"][number % len(PLAN["users"])]
        self.me = me
        self.client.cookies.set("sessionid", me["sessions"][(number // len(PLAN["users"])) % len(me["sessions"])])

    def person(self):
        return random.choice(self.me["people"])

    @task(3)
    def search(self):
        self.client.get("/people/", params={"nhs_number": self.person()["nhs"]}, name="search")

    @task(3)
    def record(self):
        self.client.get(f"/people/{self.person()['id']}/", name="record")

    @task(2)
    def timeline(self):
        self.client.get(f"/people/{self.person()['id']}/timeline/", name="timeline")

    @task(2)
    def my_tasks(self):
        self.client.get("/tasks/", name="my tasks")

    @task(2)
    def worklist(self):
        self.client.get(self.me["list_url"], name="worklist or caseload")

    @task(1)
    def plan_edit(self):
        if not self.me["plans"]:
            return
        pid = random.choice(self.me["plans"])
        page = self.client.get(f"/care/{pid}/plan/draft/", name="plan draft (read)").text
        form = FormFields()
        form.feed(page)
        if not form.fields:  # no draft yet (the page offers to start one): start it, as a member of staff would
            self.client.post(
                f"/care/{pid}/plan/draft/start/", {"csrfmiddlewaretoken": csrf(page)}, name="plan draft (start)"
            )
            page = self.client.get(f"/care/{pid}/plan/draft/", name="plan draft (read)").text
        form = FormFields()
        form.feed(page)
        fields = form.fields
        for field in fields:
            if field[0] not in ("csrfmiddlewaretoken", "revision") and field[1] and not field[0].endswith("_id"):
                field[1] = field[1].split(" (edit ")[0] + f" (edit {random.randrange(1000)})"
                break
        with self.client.post(
            form.action or f"/care/{pid}/plan/draft/", dict(fields), name="plan draft (save)", catch_response=True
        ) as r:
            if r.status_code in (200, 302):  # 200: the form again (e.g. a colleague saved first): not an error
                r.success()

    @task(2)
    def trivial(self):
        self.client.get("/health", name="trivial view (baseline)")


class PracticeUpload(HttpUser):
    """One user of the fifty: the practice's register upload, now and then."""

    fixed_count = 1
    wait_time = between(10, 20)

    def on_start(self):
        self.client.cookies.set("sessionid", PLAN["uploader"]["sessions"][0])

    @task
    def upload(self):
        page = self.client.get("/health-checks/registers/upload/", name="register upload (page)").text
        with open(PLAN["uploader"]["file"], "rb") as f:
            self.client.post(
                "/health-checks/registers/upload/",
                {"csrfmiddlewaretoken": csrf(page)},
                files={"file": ("register.csv", f, "text/csv")},
                headers={"Referer": self.host + "/health-checks/registers/upload/"},
                name="register upload (300 rows)",
            )
