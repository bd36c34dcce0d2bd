"""Roles are Django groups; their names are the API and the demo logins' usernames."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, User
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONSUMER = "consumer", _("消费者")
    SELLER = "seller", _("卖家")
    STATION_OPERATOR = "station_operator", _("站点运营员")
    COURIER = "courier", _("投递员")
    COUNTY_MANAGER = "county_manager", _("县级管理员")
    LOAN_OFFICER = "loan_officer", _("信贷员")
    AUDITOR = "auditor", _("审计员")
    FINANCE = "finance", _("财务人员")


#: Whoever acts in a service: a logged-in user, or nobody (``AnonymousUser``) on public paths.
Actor = User | AnonymousUser


def user_roles(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    """The role names of ``user`` (empty for anonymous users); cached on the user object."""
    if not user.is_authenticated:
        return set()
    cached: set[str] | None = user.__dict__.get("_siliu_roles")
    if cached is None:
        cached = set(Group.objects.filter(user__pk=user.pk).values_list("name", flat=True))
        user.__dict__["_siliu_roles"] = cached
    return cached


def user_has_role(user: AbstractBaseUser | AnonymousUser, *roles: Role) -> bool:
    """Whether ``user`` holds any of ``roles``; superusers hold them all."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(user_roles(user) & {role.value for role in roles})


def user_role_grant(*, user: User, role: Role) -> None:
    """Give ``user`` ``role`` (its group) and forget the roles cached on the object."""
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    user.__dict__.pop("_siliu_roles", None)


def acting_user(actor: Actor | None) -> User | None:
    """The user to record as having acted, or ``None`` for anonymous and system actions."""
    return actor if isinstance(actor, User) else None
