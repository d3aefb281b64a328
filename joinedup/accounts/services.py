"""Creating staff accounts and their memberships: used by administrators, the demo seed and tests."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Membership, User
from .roles import Role


@transaction.atomic
def staff_create(
    *, username, first_name, last_name, memberships, email="", job_title="", phone="", password=None
) -> User:
    """`memberships` is a list of (team, role). A user without a password cannot sign in until one is set."""
    if not memberships:
        raise ValidationError("A member of staff needs at least one team and role")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        phone=phone,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    for team, role in memberships:
        if role not in Role.values:
            raise ValidationError(f"Unknown role {role!r}")
        Membership.objects.create(user=user, team=team, role=role)
    return user


@transaction.atomic
def membership_add(*, user, team, role) -> Membership:
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}")
    membership = Membership.objects.create(user=user, team=team, role=role)
    user.__dict__.pop("active_memberships", None)
    user.__dict__.pop("roles", None)
    user.__dict__.pop("permissions", None)
    return membership
