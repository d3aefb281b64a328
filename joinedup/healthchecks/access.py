"""The outreach relationship: an outreach team sees the people on the SMI registers of the practices it covers.

The practice shares its SMI register with the commissioned outreach provider for direct care (the health check
itself), so this relationship does not wait for the person's consent to share with voluntary organisations; the
rest of the shared record stays behind that consent. The practice already sees its own patients ("registered
practice").
"""

from django.db.models import Exists, OuterRef, Q

from joinedup.core.access import relationship
from joinedup.directory.models import TeamKind


@relationship("SMI health check outreach", needs_consent=False)
def outreach_register(user, memberships):
    from .models import RegisterEntry

    providers = sorted({m.team.organisation_id for m in memberships if m.team.kind == TeamKind.OUTREACH})
    if not providers:
        return None
    # EXISTS rather than IN: asked about a page of people, PostgreSQL looks each up by index instead of hashing
    # the provider's whole register.
    return Q(
        Exists(RegisterEntry.objects.filter(person_id=OuterRef("pk"), provider_id__in=providers, left_on__isnull=True))
    )
