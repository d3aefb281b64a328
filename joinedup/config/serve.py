"""`make serve`: the production processes of the Procfile (web, worker, scheduler) under honcho.

honcho sends SIGTERM to every process when it is told to stop (or when one process stops), then SIGKILL after
five seconds: too soon for a request or a task in flight. Here it waits gunicorn's graceful timeout plus a margin
instead, so SIGTERM to this process lets requests and jobs finish (docs/operations.md)."""

import os
import sys

from honcho import manager
from honcho.command import main


def run(argv: list[str]) -> None:
    manager.KILL_WAIT = int(os.environ.get("JOINEDUP_GRACEFUL_TIMEOUT", "30")) + 5
    main(["start", "--no-colour", "-f", "Procfile", *argv])


if __name__ == "__main__":
    run(sys.argv[1:])
