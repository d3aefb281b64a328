"""The outreach relationship: an outreach team sees the people on the SMI registers of the practices it covers.

The practice shares its SMI register with the commissioned outreach provider for direct care (the health check
itself), so this relationship does not wait for the person's consent to share with voluntary organisations. It
opens the health check pages only (hazard H20): the rest of the shared record (address, phone, timeline, "my
story", care plan, level of care) stays behind that consent, as for every other VCFSE reader. The practice already
sees its own patients ("registered practice").
"""

from django.db.models import Exists, OuterRef, Q

from joinedup.accounts.roles import Perm
from joinedup.core.access import relationship
from joinedup.directory.models import TeamKind

# What the health check work needs: the person's health check page, claiming them, contact attempts and bookings,
# and recording a check with its follow-ups and health plan.
OUTREACH_GRANTS = (Perm.HC_VIEW, Perm.HC_OUTREACH, Perm.HC_RECORD_CHECK)


@relationship("SMI health check outreach", needs_consent=False, grants=OUTREACH_GRANTS)
def outreach_register(user, memberships):
    return _on_register(memberships)


@relationship("SMI health check outreach, with the person's consent to share")
def outreach_register_shared(user, memberships):
    """Once the person agrees to share with the outreach provider's kind of organisation, the outreach worker reads
    (and, where their role allows, changes) the rest of the record like any other reader from that kind."""
    return _on_register(memberships)


def _on_register(memberships):
    from .models import RegisterEntry

    providers = sorted({m.team.organisation_id for m in memberships if m.team.kind == TeamKind.OUTREACH})
    if not providers:
        return None
    # EXISTS rather than IN: asked about a page of people, PostgreSQL looks each up by index instead of hashing
    # the provider's whole register.
    return Q(
        Exists(RegisterEntry.objects.filter(person_id=OuterRef("pk"), provider_id__in=providers, left_on__isnull=True))
    )
