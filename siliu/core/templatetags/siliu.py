from typing import Any

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.utils.html import format_html
from django.utils.safestring import SafeString

from siliu.core.images import thumbnail_url
from siliu.core.money import fen_in_capitals, format_fen
from siliu.core.names import person_name

register = template.Library()


@register.filter(name="person_name")
def person_name_filter(user: AbstractBaseUser | None) -> str:
    """``{{ outlet.operator|person_name }}`` → ``王丽`` (see :func:`siliu.core.names.person_name`)."""
    return person_name(user)


@register.filter(name="thumbnail")
def thumbnail_filter(url: str) -> str:
    """The thumbnail of a stored picture (:func:`siliu.core.images.thumbnail_url`)."""
    return thumbnail_url(url)


@register.filter(name="fen")
def fen_filter(amount_fen: int | None) -> str:
    """``{{ order.total_fen|fen }}`` → ``¥1,234.56``."""
    return "—" if amount_fen is None else format_fen(int(amount_fen))


@register.filter(name="fen_capitals")
def fen_capitals_filter(amount_fen: int | None) -> str:
    """``{{ amount_fen|fen_capitals }}`` → ``壹佰贰拾叁元肆角伍分`` (see
    :func:`siliu.core.money.fen_in_capitals`)."""
    return "" if amount_fen is None else fen_in_capitals(int(amount_fen))


@register.simple_tag(takes_context=True)
def amount(context: dict[str, Any], amount_fen: int | None) -> SafeString:
    """``{% amount day.cash_in_fen %}``: the figure, never broken across lines, and in elderly mode
    (``elderly_mode`` from the context processor) the amount in capitals (大写) beside it, as on a
    counter slip, so that a figure misread is caught before the cash changes hands."""
    figure = fen_filter(amount_fen)
    if amount_fen is None or not context.get("elderly_mode"):
        return format_html('<span class="siliu-amount">{}</span>', figure)
    return format_html(
        '<span class="siliu-amount">{}</span>'
        '<span class="siliu-capitals" lang="zh-CN" data-testid="capitals">{}</span>',
        figure,
        fen_in_capitals(int(amount_fen)),
    )
