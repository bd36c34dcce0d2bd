"""Template filters of the lending pages: rates in basis points and amounts for form fields."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter(name="bp_percent")
def bp_percent_filter(rate_bp: int) -> str:
    """``{{ 720|bp_percent }}`` → ``7.2%``; ``1200`` → ``12%``."""
    percent = Decimal(int(rate_bp)) / 100
    return f"{percent.normalize():f}%"


@register.filter(name="fen_yuan")
def fen_yuan_filter(amount_fen: int) -> str:
    """``{{ 300000|fen_yuan }}`` → ``3000``; ``12345`` → ``123.45`` (a form field's value, no ¥ or
    separators)."""
    yuan, fen = divmod(int(amount_fen), 100)
    return f"{yuan}" if fen == 0 else f"{yuan}.{fen:02d}"
