"""One demo seeded for a whole test module and rolled back at the end, for modules that only read it."""

from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings


@contextmanager
def module_demo(django_db_blocker, tmp_path_factory, *, people: int, seed: int):
    """The region pack (with its deprivation lookup) and `seed_demo(people, seed)`, as `make demo` loads them."""
    from django.conf import settings

    from joinedup.demo.seeding import seed_demo
    from joinedup.directory.loading import load_region
    from joinedup.reporting.deprivation import load_deprivation

    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=tmp_path_factory.mktemp("demo")),
        transaction.atomic(),
    ):
        load_region(settings.REGION_PACK)
        load_deprivation(settings.REGION_PACK)
        seed_demo(people=people, seed=seed)
        yield
        transaction.set_rollback(True)
