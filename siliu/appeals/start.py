"""People's requests on the start page (:mod:`siliu.core.start`): the open requests a station operator
or a county manager has to handle, late ones in the note."""

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.appeals.requests.selectors import OPEN, appeal_queue, late_filter
from siliu.core.permissions import Permission, user_can
from siliu.core.start import StartCard


def start_cards(user: User) -> list[StartCard]:
    """待办诉求 for who handles requests: the open ones at their places, how many are late; it opens
    their list."""
    if not user_can(user, Permission.APPEAL_HANDLE):
        return []
    now = timezone.now()
    open_appeals = appeal_queue(user=user, show=OPEN, now=now)
    late = open_appeals.filter(late_filter(now)).count()
    return [
        StartCard(
            title=_("待办诉求"),
            figure=str(open_appeals.count()),
            url=reverse("appeals:queue"),
            testid="start-appeals-open",
            note=_("其中超时 %(late)d 件") % {"late": late} if late else _("没有超时的"),
        )
    ]
