"""Reads of the stamp catalogue (public: a catalogue holds no personal data)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.outreach.models import StampIssue, StampTheme


def stamp_issue_list(*, theme: str = "") -> QuerySet[StampIssue]:
    """The catalogue, newest issue first; with ``theme``, that theme's issues.

    Raises
    ------
    ValidationFailed
        ``invalid_theme`` (``theme``) for a theme that does not exist.
    """
    issues = StampIssue.objects.all()
    if theme:
        if theme not in StampTheme.values:
            raise ValidationFailed("invalid_theme", _("没有这个主题"), field="theme")
        issues = issues.filter(theme=theme)
    return issues.order_by("-issued_on", "series_number")


def stamp_issues_get(*, ids: list[int]) -> list[StampIssue]:
    """The issues with ``ids``, in catalogue order.

    Raises
    ------
    ValidationFailed
        ``unknown_stamp`` (``stamps``) when one of them is not in the catalogue.
    """
    unique = sorted(set(ids))
    issues = list(StampIssue.objects.filter(pk__in=unique).order_by("-issued_on", "series_number"))
    if len(issues) != len(unique):
        raise ValidationFailed("unknown_stamp", _("所选邮票不在目录中"), field="stamps")
    return issues
