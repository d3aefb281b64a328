"""For the serving test only: the real application with one slow page, and a slow task, to have something in
flight when SIGTERM arrives."""

import time

from django_tasks import task

from joinedup.config.wsgi import application as django_application


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/slow-for-test":
        time.sleep(3)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"finished"]
    return django_application(environ, start_response)


@task()
def slow_task(seconds: float) -> str:
    time.sleep(seconds)
    return "finished"
