"""The person's own copy of an agreed plan, as printed: every section (it is their plan), the actions' owners named
from their side ("Me"), their key worker to contact. The plan copy letter (joinedup/messaging) lays it out with
care/_plan_body.jinja, the template the printable page and its PDF use."""

from django.utils import timezone

from .models import PlanSection
from .presenters import VersionPresenter
from .queries import key_worker_for, plan_version_for


def own_copy(*, version) -> dict:
    version = plan_version_for(person=version.person, number=version.number)
    return {
        "plan": VersionPresenter(version, shown=frozenset(PlanSection.values), person_name="Me"),
        "key_worker": key_worker_for(person=version.person),
        "printed_on": timezone.localdate(),
    }
