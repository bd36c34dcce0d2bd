from django import template
from django.contrib.auth.models import AbstractBaseUser

from siliu.core.money import format_fen
from siliu.core.names import person_name

register = template.Library()


@register.filter(name="person_name")
def person_name_filter(user: AbstractBaseUser | None) -> str:
    """``{{ outlet.operator|person_name }}`` → ``王丽`` (see :func:`siliu.core.names.person_name`)."""
    return person_name(user)


@register.filter(name="fen")
def fen_filter(amount_fen: int | None) -> str:
    """``{{ order.total_fen|fen }}`` → ``¥1,234.56``."""
    return "—" if amount_fen is None else format_fen(int(amount_fen))
