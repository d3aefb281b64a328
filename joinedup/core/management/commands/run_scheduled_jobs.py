"""manage.py run_scheduled_jobs: run the scheduled jobs that are due (core/schedule.py).

Once by default (for cron, tests and the demo); `--loop` keeps checking every `--every` seconds, which is how the
production scheduler process runs it."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from joinedup.core.schedule import registered_jobs, run_due


class Command(BaseCommand):
    help = "Run the scheduled jobs that are due."

    def add_arguments(self, parser):
        parser.add_argument("--job", help="run this job now, whether it is due or not")
        parser.add_argument("--loop", action="store_true", help="keep running, checking every --every seconds")
        parser.add_argument("--every", type=int, default=60, help="seconds between checks with --loop (default 60)")
        parser.add_argument("--list", action="store_true", help="list the registered jobs and stop")

    def handle(self, *args, job=None, loop=False, every=60, list=False, **options):
        if list:
            for registered in registered_jobs():
                self.stdout.write(f"{registered.name}  every {registered.every}")
            return
        if job and job not in {registered.name for registered in registered_jobs()}:
            raise CommandError(f"No scheduled job is called {job!r}: see --list")
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            for name, outcome in run_due(only=job).items():
                self.stdout.write(f"{name}: {outcome}")
            if not loop or stopping:
                return
            for _ in range(max(every, 1)):
                if stopping:
                    return
                time.sleep(1)
