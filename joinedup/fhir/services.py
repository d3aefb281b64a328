"""Registering system clients and issuing their access tokens: one transaction each, audited."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.accounts.roles import Perm, Role
from joinedup.accounts.services import staff_create
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.directory.models import Team
from joinedup.people.services import NotAllowed

from .auth import TokenRefused, token_hash, validate_jwks
from .models import AccessToken, SystemClient, UsedAssertion, new_client_id
from .scopes import ScopeError, covered, parse_scopes

SERVICE_ACCOUNT_LAST_NAME = "(FHIR system client)"


@transaction.atomic
def system_client_register(*, by, organisation, name, role, jwks, scopes, teams=None) -> SystemClient:
    """An administrator registers a client for one organisation. The client acts through a service account that
    holds `role` in each of `teams` (by default every team of the organisation), so the access policy that
    governs staff decides what it sees."""
    if not may(by, Perm.MANAGE_USERS):
        raise NotAllowed("Only an administrator may register a system client")
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}"})
    try:
        granted = parse_scopes(scopes)
    except ScopeError as e:
        raise ValidationError({"scopes": str(e)}) from None
    if not granted:
        raise ValidationError({"scopes": "Grant at least one system scope, such as system/Patient.read"})
    validate_jwks(jwks)
    teams = list(Team.objects.filter(organisation=organisation).order_by("code") if teams is None else teams)
    if not teams:
        raise ValidationError({"teams": f"{organisation} has no teams for the client to act in"})
    if any(t.organisation_id != organisation.pk for t in teams):
        raise ValidationError({"teams": f"Every team must belong to {organisation}"})
    client_id = new_client_id()
    user = staff_create(
        username=f"fhir-{client_id}",
        first_name=name[:150],
        last_name=SERVICE_ACCOUNT_LAST_NAME,
        job_title="FHIR system client",
        memberships=[(team, role) for team in teams],
    )
    client = SystemClient(
        client_id=client_id,
        name=name,
        organisation=organisation,
        user=user,
        jwks=jwks,
        scopes=" ".join(s.text for s in granted),
        registered_by=by,
    )
    client.full_clean()
    client.save()
    audit_record(
        by=by,
        action=AuditAction.CREATE,
        what="FHIR system client",
        obj=client,
        reason=f"{name} for {organisation.code} as {role}; scopes {client.scopes}",
    )
    return client


@transaction.atomic
def access_token_issue(*, client, scope: str, assertion_claims=None) -> tuple[str, AccessToken]:
    """A short-lived token for the scopes asked for, which must lie within those granted. With the claims of a
    verified assertion, its jti is recorded so the same assertion cannot be used again."""
    try:
        asked = parse_scopes(scope)
    except ScopeError as e:
        raise TokenRefused("invalid_scope", str(e)) from None
    if not asked:
        raise TokenRefused("invalid_scope", "Ask for at least one system scope, such as system/Patient.read")
    if not covered(asked, parse_scopes(client.scopes)):
        raise TokenRefused("invalid_scope", f"The client has not been granted {scope!r}; it holds {client.scopes!r}")
    now = timezone.now()
    if assertion_claims is not None:
        try:
            with transaction.atomic():
                UsedAssertion.objects.create(
                    client=client,
                    jti=assertion_claims["jti"],
                    expires_at=dt.datetime.fromtimestamp(assertion_claims["exp"], tz=dt.UTC),
                )
        except IntegrityError:
            raise TokenRefused("invalid_client", "This client assertion has been used already (jti)") from None
        UsedAssertion.objects.filter(client=client, expires_at__lt=now - dt.timedelta(hours=1)).delete()
    AccessToken.objects.filter(client=client, expires_at__lt=now).delete()
    token = secrets.token_urlsafe(32)
    row = AccessToken.objects.create(
        token_hash=token_hash(token),
        client=client,
        scopes=" ".join(s.text for s in asked),
        issued_at=now,
        expires_at=now + dt.timedelta(seconds=settings.FHIR_ACCESS_TOKEN_SECONDS),
    )
    audit_record(by=client.user, action=AuditAction.CREATE, what="FHIR access token", reason=row.scopes)
    return token, row


@transaction.atomic
def system_client_deactivate(*, by, client, reason: str) -> SystemClient:
    """Switch a client off at once: its tokens stop working, its assertions are refused, its service account is
    deactivated. Kept, not deleted, so the audit trail still names it."""
    if not may(by, Perm.MANAGE_USERS):
        raise NotAllowed("Only an administrator may switch off a system client")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the client is being switched off"})
    client.active = False
    client.save(update_fields=["active"])
    client.user.is_active = False
    client.user.save(update_fields=["is_active"])
    AccessToken.objects.filter(client=client).delete()
    audit_record(by=by, action=AuditAction.UPDATE, what="FHIR system client switched off", obj=client, reason=reason)
    return client
