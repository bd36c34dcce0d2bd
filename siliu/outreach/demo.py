"""The demo's stamp exhibitions: the catalogue's real issues and a year of exhibitions across some of the
demo county's townships, written through the services as the county manager did them.

Call it after ``siliu demo`` (``siliu/demo`` does not call it)::

    siliu outreach_demo                 # the command
    demo_outreach(today=…, seed=5)      # from Python, e.g. a test or a shell

It leaves about half the townships without any exhibition this year, so that the coverage map shows
where the next ones should go, plus two requests waiting (a school's, filed without a login) and a
planned exhibition to come.
"""

import datetime
import random
from dataclasses import dataclass
from typing import Final

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import NotFound
from siliu.core.roles import Role
from siliu.network.models import Region, RegionLevel
from siliu.network.selectors import village_serving_outlet
from siliu.outreach.exhibitions.services import (
    exhibition_cancel,
    exhibition_create,
    exhibition_hold,
    exhibition_request,
)
from siliu.outreach.models import Exhibition, ExhibitionKind, StampIssue, StampTheme, VenueKind
from siliu.outreach.stamps.services import stamp_issue_create


@dataclass(frozen=True)
class RealIssue:
    name: str
    series_number: str
    issued_on: datetime.date
    stamp_count: int
    souvenir_sheet_count: int
    #: Face value of the set's stamps (without the souvenir sheet); ``None`` where not verified.
    face_value_fen: int | None
    theme: str
    description: str


#: Real issues of China Post, with only what was checked against the issuing announcements and the
#: press of the day: the 2021 centenary set's face value was not, and is left empty.
REAL_ISSUES: Final = (
    RealIssue(
        name="中国共产党成立九十周年",
        series_number="2011-16",
        issued_on=datetime.date(2011, 6, 22),
        stamp_count=6,
        souvenir_sheet_count=1,
        face_value_fen=720,
        theme=StampTheme.PARTY,
        description="开天辟地、烽火岁月、执政创业、改革大潮、世纪跨越、科学发展，小型张以党旗为图。",
    ),
    RealIssue(
        name="中国人民抗日战争暨世界反法西斯战争胜利七十周年",
        series_number="2015-20",
        issued_on=datetime.date(2015, 9, 3),
        stamp_count=13,
        souvenir_sheet_count=1,
        face_value_fen=1480,
        theme=StampTheme.REVOLUTION,
        description="十三座抗战纪念馆，小型张以《大刀进行曲》雕塑、长城和和平鸽为图。",
    ),
    RealIssue(
        name="中国共产党成立100周年",
        series_number="2021-17",
        issued_on=datetime.date(2021, 7, 1),
        stamp_count=20,
        souvenir_sheet_count=0,
        face_value_fen=None,
        theme=StampTheme.PARTY,
        description="连票二十枚：开天辟地、峥嵘岁月、中流砥柱、伟大胜利、开国大典……追梦。",
    ),
)

#: Who leads the demo's exhibitions (retired teachers and postal staff; made-up names).
LEADERS: Final = ("王建国", "李秀英", "张志强", "刘桂兰", "陈卫东")
DEFAULT_SEED: Final = 5


def _manager() -> User:
    user = User.objects.filter(username=Role.COUNTY_MANAGER.value).first()
    if user is None:
        raise NotFound("no_demo_county", _("请先生成示范县（siliu demo），再生成邮票展览"))
    return user


def demo_stamp_catalogue(*, actor: User, today: datetime.date) -> list[StampIssue]:
    """The real issues of :data:`REAL_ISSUES` in the catalogue (those already there are kept)."""
    issues = []
    for real in REAL_ISSUES:
        issue = StampIssue.objects.filter(series_number=real.series_number).first()
        if issue is None:
            issue = stamp_issue_create(
                actor=actor,
                name=real.name,
                series_number=real.series_number,
                issued_on=real.issued_on,
                stamp_count=real.stamp_count,
                souvenir_sheet_count=real.souvenir_sheet_count,
                face_value_fen=real.face_value_fen,
                theme=real.theme,
                description=real.description,
                today=today,
            )
        issues.append(issue)
    return issues


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def demo_outreach(*, today: datetime.date | None = None, seed: int = DEFAULT_SEED) -> int:
    """Add the catalogue and a year of exhibitions ending ``today`` to the demo county; the number of
    exhibitions written (0 when it has some already).

    Raises
    ------
    NotFound
        ``no_demo_county`` before ``siliu demo``.
    """
    today = today or timezone.localdate()
    manager = _manager()
    stamps = [issue.pk for issue in demo_stamp_catalogue(actor=manager, today=today)]
    if Exhibition.objects.exists():
        return 0
    rng = random.Random(seed)
    # Townships with villages: a small demo county leaves some townships without any.
    townships = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP, children__isnull=False).distinct().order_by("code")
    )
    if not townships:
        return 0
    visited = townships[: max(1, len(townships) // 2)]
    written = 0
    for township in visited:
        villages = list(township.children.order_by("code"))
        for village in rng.sample(villages, k=max(1, len(villages) // 2)):
            day = today - datetime.timedelta(days=rng.randint(3, 330))
            school = rng.random() < 0.4
            venue = VenueKind.SCHOOL if school else rng.choice([VenueKind.VILLAGE_SQUARE, VenueKind.OUTLET])
            exhibition = exhibition_create(
                actor=manager,
                village_code=village.code,
                venue_kind=venue,
                venue_name=f"{village.name}小学" if school else "",
                outlet_code=village_serving_outlet(village=village).code if venue == VenueKind.OUTLET else "",
                kind=rng.choice(ExhibitionKind.values),
                title=_("%(place)s：邮票上的党史")
                % {"place": f"{village.name}小学" if school else village.name},
                scheduled_on=day,
                stamp_ids=rng.sample(stamps, k=rng.randint(1, len(stamps))),
                leader_name=rng.choice(LEADERS),
                now=_at(day - datetime.timedelta(days=14), 9),
            )
            exhibition_hold(
                exhibition=exhibition,
                actor=manager,
                attendance_count=rng.randint(25, 160),
                now=_at(day, 18),
            )
            written += 1
    last = townships[-1]
    first_village = last.children.order_by("code").first()
    if first_village is not None:
        village = first_village
        exhibition_request(
            requester=AnonymousUser(),  # nobody logged in: a school's head teacher with a phone
            village_code=village.code,
            venue_kind=VenueKind.SCHOOL,
            venue_name=f"{last.name}中心小学",
            contact_name="赵老师",
            contact_phone="13900000000",
            note=_("六年级两个班，约九十名学生"),
            now=_at(today - datetime.timedelta(days=2), 10),
        )
        cancelled = exhibition_create(
            actor=manager,
            village_code=village.code,
            venue_kind=VenueKind.VILLAGE_SQUARE,
            kind=ExhibitionKind.TALK,
            title=_("%(place)s：邮票上的党史") % {"place": village.name},
            scheduled_on=today + datetime.timedelta(days=5),
            stamp_ids=stamps[:1],
            leader_name=LEADERS[0],
            now=_at(today - datetime.timedelta(days=20), 9),
        )
        exhibition_cancel(
            exhibition=cancelled,
            actor=manager,
            reason=_("农忙，改到明年"),
            now=_at(today - datetime.timedelta(days=1), 9),
        )
        exhibition_create(
            actor=manager,
            village_code=village.code,
            venue_kind=VenueKind.VILLAGE_SQUARE,
            kind=ExhibitionKind.EXHIBITION,
            title=_("%(place)s：邮票上的党史") % {"place": village.name},
            scheduled_on=today + datetime.timedelta(days=10),
            stamp_ids=stamps,
            leader_name=LEADERS[1],
            now=_at(today, 9),
        )
        written += 3
    return written
