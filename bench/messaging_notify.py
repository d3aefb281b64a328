"""M1: reminders through the outbox to the local GOV.UK Notify stand-in. Target: throughput >= 0.8 of a bare loop
of the same HTTP calls, in the same run.

N people (10,000 at full size, 1,000 quick) each have a health check reminder queued (message_queue, as a
booking does: communication needs read, the row and its timeline entry written). Timed: the worker sending them
all (outbox_send_due: a batch of 100 claimed in one transaction, the Notify client's call for each, then the
batch's rows marked sent and their timeline entries written in one transaction). Baseline, same run, same
stand-in: a bare loop making the same calls with the same client (notifications-python-client's
send_sms_notification with the same phone number, template and personalisation), no database. The stand-in runs
in a thread of the same process and checks every token and body in both. Peak memory: the process's peak
resident set (ru_maxrss) after sending.
"""

import argparse
import datetime as dt
import gc
import resource
import time

from .common import emit, prepare_database, ratio, setup_django, step


def nhs_numbers():
    """Valid NHS numbers from the 999 test range, in order (those whose check digit would be 10 skipped)."""
    body = 999000000
    while True:
        digits = str(body)
        check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check != 10:
            yield digits + str(0 if check == 11 else check)
        body += 1


def people(n: int):
    from joinedup.directory.models import Practice
    from joinedup.people.models import Person

    practice = Practice.objects.order_by("ods_code").first()
    rows = [
        Person(
            nhs_number=nhs,
            given_name="Bench",
            family_name=f"Person{i}",
            search_name=f"bench person{i}",
            date_of_birth=dt.date(1980, 1, 1),
            phone="07700900123",
            preferred_channel="text",
            practice=practice,
        )
        for i, nhs in zip(range(n), nhs_numbers(), strict=False)
    ]
    return Person.objects.bulk_create(rows, batch_size=1000)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--n", type=int)
    args = parser.parse_args(argv)
    n = args.n or (10_000 if args.full else 1_000)
    import os

    os.environ["JOINEDUP_MESSAGING_SEND_ON_COMMIT"] = "false"
    setup_django()
    from django.conf import settings
    from django.utils import timezone
    from notifications_python_client.notifications import NotificationsAPIClient

    from joinedup.core.timeline import Service
    from joinedup.messaging.services import message_queue, outbox_send_due
    from standins.notify import NotifyStandIn

    prepare_database()
    stand_in = NotifyStandIn().start()
    settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL = stand_in.api_key, stand_in.url
    details = {"name": "Bench", "when": "3 March 2027 at 10:30", "place": "Whitegate Surgery"}
    with step(f"{n:,} people"):
        everyone = people(n)
    # A weekday at 11:00: inside everyone's default safe times.
    now = timezone.make_aware(dt.datetime(2027, 3, 1, 11, 0))
    with step(f"queue {n:,} reminders"):
        started = time.perf_counter()
        for person in everyone:
            message_queue(
                person=person,
                purpose="hc_reminder",
                service=Service.HEALTH_CHECKS,
                key=f"r:{person.pk}",
                personalisation=details,
                now=now,
            )
        queued = time.perf_counter() - started
    # The worker holds no list of everyone: nor does the timed part, so the garbage collector walks the same heap in
    # both loops.
    del everyone
    gc.collect()
    with step("send them through the outbox"):
        started = time.perf_counter()
        counts = outbox_send_due(now=now)
        outbox = time.perf_counter() - started
    assert counts == {"sent": n}, counts
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stand_in.reset()
    api = NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL)
    template = settings.NOTIFY_TEMPLATES["hc_reminder:sms"]
    gc.collect()
    with step("baseline: the same calls in a bare loop"):
        started = time.perf_counter()
        for i in range(n):
            api.send_sms_notification(
                phone_number="07700900123", template_id=template, personalisation=details, reference=f"bare-{i}"
            )
        bare = time.perf_counter() - started
    assert len(stand_in.sent) == n
    stand_in.stop()
    figure, baseline = n / outbox, n / bare
    emit(
        {
            "id": "M1",
            "figure": round(figure, 1),
            "unit": "messages/s",
            "baseline": "bare loop of the same Notify client calls",
            "baseline_figure": round(baseline, 1),
            "ratio": ratio(figure, baseline),
            "target": "ratio >= 0.8",
            "met": figure / baseline >= 0.8,
            "size": n,
            "queue_per_s": round(n / queued, 1),
            "peak_rss_mb": round(peak_mb, 1),
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1],
        }
    )


if __name__ == "__main__":
    main()
