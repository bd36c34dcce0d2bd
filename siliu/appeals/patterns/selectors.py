"""Recurring needs, found: the requests of one category in one township, :data:`MIN_COUNT` or more filed
within the last :data:`WINDOW_DAYS` days and not yet taken as a job, are one pattern.

The rule is the category and the township; the words only help the county manager read the pattern
(rapidfuzz). Villagers describe one problem in very different words ("快递放错人家了", "包裹又被放到
邻居家"), so text similarity would split what is one need if it decided; instead it picks the request
that best stands for the others (the highest mean similarity to them) and marks the ones whose words are
far from it, which the manager may leave out of the job. Similarity is the token-set ratio over words
and single Chinese characters (Chinese has no spaces between words).
"""

import datetime
import re
from dataclasses import dataclass
from typing import Final

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from siliu.appeals.models import OPEN_STATUSES, Appeal, AppealCategory, AppealStatus, Job
from siliu.core.errors import NotFound
from siliu.core.permissions import Permission, user_can, user_outlet_ids
from siliu.core.roles import Actor
from siliu.network.models import Outlet, Region

#: A pattern: this many requests of a kind in a township ...
MIN_COUNT: Final = 3
#: ... filed within this many days up to now.
WINDOW_DAYS: Final = 30
#: Requests whose words are at least this similar (0–100) to the pattern's representative are marked so.
SIMILAR_RATIO: Final = 50

_CJK = re.compile(r"([\u3400-\u9fff])")


def _words(text: str) -> str:
    """``text`` with a space around each Chinese character, so that rapidfuzz's token ratios see them."""
    return " ".join(_CJK.sub(r" \1 ", text.lower()).split())


def text_similarity(first: str, second: str) -> int:
    """How alike two requests' words are, 0–100 (token-set ratio over words and Chinese characters)."""
    return round(fuzz.token_set_ratio(_words(first), _words(second)))


@dataclass(frozen=True)
class Member:
    appeal: Appeal
    #: Similarity of its words to the representative's, 0–100 (100 for the representative).
    similarity: int

    @property
    def is_similar(self) -> bool:
        return self.similarity >= SIMILAR_RATIO


@dataclass(frozen=True)
class Pattern:
    township: Region
    category: AppealCategory
    members: list[Member]
    representative: Appeal

    @property
    def key(self) -> str:
        """How a page names the pattern: ``<township code>-<category>``."""
        return f"{self.township.code}-{self.category.value}"

    @property
    def open_count(self) -> int:
        return sum(1 for member in self.members if member.appeal.status in OPEN_STATUSES)

    @property
    def first_at(self) -> datetime.datetime:
        return min(member.appeal.filed_at for member in self.members)

    @property
    def last_at(self) -> datetime.datetime:
        return max(member.appeal.filed_at for member in self.members)


def _pattern(township: Region, category: AppealCategory, appeals: list[Appeal]) -> Pattern:
    """The pattern of ``appeals`` (of one township and category) with its representative chosen."""
    words = [_words(appeal.text) for appeal in appeals]
    scores = [
        [100 if i == j else round(fuzz.token_set_ratio(words[i], words[j])) for j in range(len(appeals))]
        for i in range(len(appeals))
    ]
    best = max(range(len(appeals)), key=lambda i: (sum(scores[i]), -appeals[i].pk))
    members = [Member(appeal, scores[best][i]) for i, appeal in enumerate(appeals)]
    members.sort(key=lambda member: (-member.similarity, member.appeal.filed_at, member.appeal.pk))
    return Pattern(township=township, category=category, members=members, representative=appeals[best])


def _candidates(*, user: Actor, now: datetime.datetime) -> list[Appeal]:
    places = user_outlet_ids(user, Permission.APPEAL_MANAGE)
    appeals = (
        Appeal.objects.select_related("township", "village", "outlet")
        .filter(
            filed_at__gt=now - datetime.timedelta(days=WINDOW_DAYS),
            filed_at__lte=now,
            job__isnull=True,
        )
        .exclude(status__in=(AppealStatus.REJECTED, AppealStatus.WITHDRAWN))
    )
    if places is not None:
        appeals = appeals.filter(outlet_id__in=places)
    return list(appeals.order_by("township__code", "category", "filed_at", "pk"))


def pattern_list(*, user: Actor, now: datetime.datetime | None = None) -> list[Pattern]:
    """The recurring needs at the outlets where ``user`` holds ``appeal.manage``: most requests first,
    then the most recent."""
    now = now or timezone.now()
    groups: dict[tuple[int, str], list[Appeal]] = {}
    for appeal in _candidates(user=user, now=now):
        groups.setdefault((appeal.township_id, appeal.category), []).append(appeal)
    patterns = [
        _pattern(appeals[0].township, AppealCategory(category), appeals)
        for (_township, category), appeals in groups.items()
        if len(appeals) >= MIN_COUNT
    ]
    patterns.sort(key=lambda pattern: (-len(pattern.members), -pattern.last_at.timestamp()))
    return patterns


def pattern_get(*, user: Actor, key: str, now: datetime.datetime | None = None) -> Pattern:
    """The pattern named ``key`` (``<township code>-<category>``) as it stands now.

    Raises
    ------
    NotFound
        ``unknown_pattern`` when there is no such recurring need now (fewer requests, or taken).
    """
    for pattern in pattern_list(user=user, now=now):
        if pattern.key == key:
            return pattern
    raise NotFound("unknown_pattern", _("没有这项共性诉求，或已并案办理"))


def job_list(*, user: Actor) -> list[Job]:
    """The jobs with a request at an outlet where ``user`` holds ``appeal.manage``, open ones first."""
    places = user_outlet_ids(user, Permission.APPEAL_MANAGE)
    jobs = Job.objects.select_related("township", "assignee", "created_by")
    if places is not None:
        jobs = jobs.filter(appeals__outlet_id__in=places).distinct()
    return list(jobs.order_by("-status", "-created_at", "-pk"))


def job_get(*, user: Actor, job_id: int) -> Job:
    """The job ``job_id``, if it has a request at an outlet where ``user`` holds ``appeal.manage``.

    Raises
    ------
    NotFound
        ``unknown_job``.
    """
    places = user_outlet_ids(user, Permission.APPEAL_MANAGE)
    jobs = Job.objects.select_related("township", "assignee", "created_by").filter(pk=job_id)
    if places is not None:
        jobs = jobs.filter(appeals__outlet_id__in=places)
    job = jobs.first() if user_can(user, Permission.APPEAL_MANAGE) else None
    if job is None:
        raise NotFound("unknown_job", _("没有这项并案"))
    return job


def job_appeals(*, job: Job) -> list[Appeal]:
    return list(job.appeals.select_related("village", "outlet").order_by("filed_at", "pk"))


def assignee_choices(*, township: Region) -> list[tuple[int, str]]:
    """Who may be given a job in ``township``: the operators of its outlets (its office, its villages'
    stations), by outlet."""
    outlets = (
        Outlet.objects.filter(Q(region=township) | Q(region__parent=township), operator__isnull=False)
        .select_related("operator")
        .order_by("kind", "code")
    )
    seen: dict[int, str] = {}
    for outlet in outlets:
        assert outlet.operator is not None
        seen.setdefault(outlet.operator.pk, outlet.name)
    return list(seen.items())
