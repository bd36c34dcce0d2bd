"""People's names as Chinese readers expect them."""

import re

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

_CJK = re.compile(r"[\u3400-\u9fff]")


def person_name(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """A user's display name: family name first with no space for Chinese names (王丽),
    "Given Family" for others, the username when no name is recorded."""
    if user is None or not user.is_authenticated:
        return ""
    given = getattr(user, "first_name", "") or ""
    family = getattr(user, "last_name", "") or ""
    if _CJK.search(given + family):
        return f"{family}{given}"
    return f"{given} {family}".strip() or user.get_username()
