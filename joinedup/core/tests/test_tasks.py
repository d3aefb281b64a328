import datetime as dt

import pytest
from django.utils import timezone

from joinedup.core import tasks
from joinedup.core.tasks import TaskItem, task_source, tasks_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_source(monkeypatch):
    monkeypatch.setattr(tasks, "_SOURCES", [])
    today = timezone.localdate()

    @task_source("test")
    def source(user):
        return (
            [
                TaskItem("Test", "later", today + dt.timedelta(days=3), "/a"),
                TaskItem("Test", "no date", None, "/b"),
                TaskItem("Test", "late", today - dt.timedelta(days=1), "/c"),
            ]
            if user.username == "test.mhp"
            else []
        )


def test_tasks_from_every_source_overdue_first(a_source, personas):
    assert [t.description for t in tasks_for(personas.mhp)] == ["late", "later", "no date"]
    assert tasks_for(personas.mhp)[0].overdue
    assert tasks_for(personas.outsider) == []


def test_my_tasks_page_flags_overdue(a_source, client, personas):
    client.force_login(personas.mhp)
    page = client.get("/tasks/").content.decode()
    assert "Overdue" in page and page.index("late") < page.index("later")
