"""Villagers as the counter finds them: their profile (mobile, resident ID) written and searched.

Lists never show a whole phone number, ID number or given name: :class:`PersonMatch` carries them
masked (``138****1234``, ``610102********1234``, ``张*``).
"""

import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from siliu.core.errors import PermissionRefused, ValidationFailed
from siliu.core.identity import (
    id_number_encrypt,
    id_number_hash,
    id_number_mask,
    mobile_mask,
    mobile_validate,
    name_mask,
    resident_id_validate,
)
from siliu.core.models import UserProfile
from siliu.core.permissions import Permission, user_can

#: The most people a search returns: a counter picks one, it does not browse.
SEARCH_LIMIT = 10


def user_profile_build(*, user_id: int, phone: str = "", resident_id: str = "") -> UserProfile:
    """An unsaved profile of ``user_id`` with the numbers validated, the ID encrypted, hashed and masked
    (:func:`user_profile_set` saves one; the demo bulk-creates them).

    Raises
    ------
    ValidationFailed
        ``invalid_phone`` (``phone``), ``invalid_id_number`` (``resident_id``).
    """
    number = resident_id_validate(resident_id, field="resident_id") if resident_id else ""
    return UserProfile(
        user_id=user_id,
        phone=mobile_validate(phone) if phone else "",
        resident_id_encrypted=id_number_encrypt(number) if number else "",
        resident_id_hash=id_number_hash(number) if number else "",
        resident_id_masked=id_number_mask(number) if number else "",
    )


@transaction.atomic
def user_profile_set(*, user: AbstractBaseUser, phone: str = "", resident_id: str = "") -> UserProfile:
    """Set ``user``'s mobile number and resident ID (either may be empty), validated.

    Raises
    ------
    ValidationFailed
        ``invalid_phone`` (``phone``), ``invalid_id_number`` (``resident_id``); nothing is written then.
    """
    built = user_profile_build(user_id=user.pk, phone=phone, resident_id=resident_id)
    profile, _created = UserProfile.objects.select_for_update().get_or_create(user_id=user.pk)
    for name in ("phone", "resident_id_encrypted", "resident_id_hash", "resident_id_masked"):
        setattr(profile, name, getattr(built, name))
    profile.save()
    return profile


@dataclass(frozen=True)
class PersonMatch:
    """A person found at the counter, masked: enough to recognise, not to copy."""

    user_id: int
    name: str
    phone: str
    resident_id: str


def person_display_name(user: AbstractBaseUser) -> str:
    """A user's name as Chinese writes it (surname first), else the username."""
    last = getattr(user, "last_name", "")
    first = getattr(user, "first_name", "")
    return f"{last}{first}" or user.get_username()


def person_match(user: AbstractBaseUser) -> PersonMatch:
    """``user`` masked as lists show people (phone and ID from the profile, when there is one)."""
    profile: UserProfile | None = getattr(user, "profile", None)
    return PersonMatch(
        user_id=user.pk,
        name=name_mask(person_display_name(user)),
        phone=mobile_mask(profile.phone) if profile else "",
        resident_id=profile.resident_id_masked if profile else "",
    )


def people_search(*, query: str, actor: AbstractBaseUser | AnonymousUser) -> list[PersonMatch]:
    """Active users found by mobile number (whole, or its last 4+ digits), resident ID (whole) or name.

    Only who serves villagers may search (``counter.operate`` or ``order.for_villager``, anywhere they
    hold it); results are masked (:class:`PersonMatch`), at most :data:`SEARCH_LIMIT`, by username.

    Raises
    ------
    PermissionRefused
        ``not_counter_staff``.
    ValidationFailed
        ``query_too_short`` (``q``) for fewer than 2 characters.
    """
    if not (user_can(actor, Permission.COUNTER_OPERATE) or user_can(actor, Permission.ORDER_FOR_VILLAGER)):
        raise PermissionRefused("not_counter_staff", _("只有柜台工作人员可以查找村民"))
    text = re.sub(r"[\s-]", "", query or "").removeprefix("+86")
    if len(text) < 2:
        raise ValidationFailed("query_too_short", _("请输入手机号、姓名或身份证号（至少 2 个字）"), field="q")
    users = User.objects.filter(is_active=True).select_related("profile")
    if re.fullmatch(r"\d{17}[\dXx]", text):
        matches = users.filter(profile__resident_id_hash=id_number_hash(text.upper()))
    elif text.isdigit():
        if len(text) < 4:
            raise ValidationFailed("query_too_short", _("按手机号查找请至少输入后 4 位"), field="q")
        matches = (
            users.filter(profile__phone=text)
            if len(text) == 11
            else users.filter(profile__phone__endswith=text)
        )
    else:
        matches = users.annotate(full_name=Concat("last_name", "first_name")).filter(
            Q(full_name__icontains=text) | Q(username__iexact=text)
        )
    return [person_match(user) for user in matches.order_by("username")[:SEARCH_LIMIT]]


def person_get(*, user_id: int) -> User | None:
    """The active user ``user_id`` with their profile, or ``None``."""
    return User.objects.filter(pk=user_id, is_active=True).select_related("profile").first()
