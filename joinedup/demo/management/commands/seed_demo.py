"""manage.py seed_demo --people N --seed S: staff personas and synthetic people for the demo."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from joinedup.demo.personas import DemoSetupError
from joinedup.demo.seeding import DEFAULT_BATCH_SIZE, DemoRefused, seed_demo


class ProgressLine:
    """One line on stderr that updates in place: 'people 12,000 / 50,000 (24%)'."""

    def __init__(self, stream):
        self.stream = stream
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        self.stream.write(f"\rpeople {done:,} / {total:,} ({percent}%)")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Create the demo's staff personas (one per role, plus an outsider) and N synthetic people, the same "
        "people for the same seed. Safe to run again: with the same N and seed it does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=2000, help="how many people (default 2,000)")
        parser.add_argument("--seed", type=int, default=2026, help="the random seed (default 2026)")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"people per bulk insert (default {DEFAULT_BATCH_SIZE:,})",
        )

    def handle(self, *args, people, seed, batch_size, **options):
        progress = ProgressLine(sys.stderr)
        try:
            result = seed_demo(people=people, seed=seed, batch_size=batch_size, progress=progress)
        except (DemoRefused, DemoSetupError) as error:
            raise CommandError(str(error)) from None
        except IntegrityError as error:
            raise CommandError(
                f"The database refused the demo people ({error}). It may already hold people with the same "
                "NHS numbers from elsewhere: start from an empty database (make clean-demo)."
            ) from None
        finally:
            progress.finish()
        for line in result.lines():
            self.stdout.write(line)
