"""Requests, written: phone codes, filing three ways, the transitions from filed to closed, escalation.

Every change of a request's status goes through :func:`_transition`, which follows
:data:`~siliu.appeals.models.APPEAL_TRANSITIONS`, appends an :class:`AppealEvent` and an outbox event
(``appeal.<status>``), and queues a message to the requester's phone, all in the caller's transaction.
A refused action writes nothing, with one exception on purpose: a wrong phone code counts as a try
(:func:`phone_code_check` commits the count before it refuses), or the five tries would be endless.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.appeals.messages.services import message_queue
from siliu.appeals.models import (
    APPEAL_TRANSITIONS,
    OPEN_STATUSES,
    Appeal,
    AppealCategory,
    AppealChannel,
    AppealEvent,
    AppealEventKind,
    AppealStatus,
    Job,
    MessageKind,
    PhoneCode,
)
from siliu.appeals.requests.routing import appeal_due, appeal_route
from siliu.appeals.requests.selectors import late_filter
from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.events import APPEAL_ESCALATED, appeal_status_kind, event_append
from siliu.core.identity import mobile_validate
from siliu.core.images import image_store
from siliu.core.models import UserProfile
from siliu.core.permissions import Permission, user_can_at
from siliu.core.roles import Actor, acting_user
from siliu.network.models import Outlet

TEXT_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 300
RATING_TEXT_MAX_LENGTH = 300
#: Phone codes: digits, minutes valid, wrong tries before a code dies.
CODE_DIGITS = 6
CODE_VALID_MINUTES = 10
CODE_MAX_TRIES = 5


# --- phone codes ------------------------------------------------------------------------------------


def _code_hash(phone: str, code: str) -> str:
    """A keyed hash of a code for a phone: a leaked table gives neither the codes nor a way to try
    the million of them offline."""
    key = hashlib.sha256(f"siliu.appeals.phone-code:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CodeSent:
    phone: str
    expires_at: datetime.datetime
    #: The code itself, for the caller that must hand it on (tests); never shown to a client.
    code: str


@transaction.atomic
def phone_code_send(*, phone: str, now: datetime.datetime | None = None) -> CodeSent:
    """Make a six-digit code for ``phone`` and queue it as a message; an earlier code of the phone
    stops counting (only the newest is checked). Pages and the API limit how often a phone and an
    address may ask (``appeal_code_phone``, ``appeal_code_ip``).

    Raises
    ------
    ValidationFailed
        ``invalid_phone`` (``phone``).
    """
    now = now or timezone.now()
    phone = mobile_validate(phone, field="phone")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires_at = now + datetime.timedelta(minutes=CODE_VALID_MINUTES)
    PhoneCode.objects.create(
        phone=phone, code_hash=_code_hash(phone, code), created_at=now, expires_at=expires_at
    )
    message_queue(
        to=phone,
        text=_(
            "【四流】您的验证码是 %(code)s，%(minutes)d 分钟内有效，用于提交群众诉求。如非本人操作，请忽略。"
        )
        % {"code": code, "minutes": CODE_VALID_MINUTES},
        kind=MessageKind.PHONE_CODE,
        now=now,
    )
    return CodeSent(phone=phone, expires_at=expires_at, code=code)


def phone_code_check(*, phone: str, code: str, now: datetime.datetime | None = None) -> PhoneCode:
    """The newest unused code of ``phone``, if ``code`` is it; a wrong code counts a try, committed
    before the refusal (so call this outside any transaction of yours).

    Raises
    ------
    ValidationFailed
        ``invalid_phone`` (``phone``); on ``code``: ``code_required``, ``no_code`` (none sent, or used),
        ``code_expired``, ``code_tries_used`` (five wrong tries), ``wrong_code``.
    """
    now = now or timezone.now()
    phone = mobile_validate(phone, field="phone")
    code = (code or "").strip()
    if not code:
        raise ValidationFailed("code_required", _("请输入短信验证码"), field="code")
    refusal: ValidationFailed | None = None
    with transaction.atomic():
        latest = (
            PhoneCode.objects.select_for_update().filter(phone=phone).order_by("-created_at", "-pk").first()
        )
        if latest is None or latest.used_at is not None:
            refusal = ValidationFailed("no_code", _("请先获取短信验证码"), field="code")
        elif latest.expires_at <= now:
            refusal = ValidationFailed("code_expired", _("验证码已过期，请重新获取"), field="code")
        elif latest.attempt_count >= CODE_MAX_TRIES:
            refusal = ValidationFailed("code_tries_used", _("验证码错误次数过多，请重新获取"), field="code")
        elif not hmac.compare_digest(latest.code_hash, _code_hash(phone, code)):
            latest.attempt_count += 1
            latest.save(update_fields=["attempt_count"])
            left = CODE_MAX_TRIES - latest.attempt_count
            refusal = ValidationFailed(
                "wrong_code",
                _("验证码不正确，还可以再试 %(n)d 次") % {"n": left}
                if left
                else _("验证码错误次数过多，请重新获取"),
                field="code",
            )
    if refusal is not None:
        raise refusal
    assert latest is not None
    return latest


# --- filing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    category: AppealCategory
    text: str


def _draft(*, category: str, text: str) -> _Draft:
    if category not in AppealCategory.values:
        raise ValidationFailed("invalid_category", _("请选择诉求类别"), field="category")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("text_required", _("请写下您要反映的事情"), field="text")
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationFailed("too_long", _("内容最多 %(n)d 个字") % {"n": TEXT_MAX_LENGTH}, field="text")
    return _Draft(AppealCategory(category), text)


def appeal_link(appeal: Appeal) -> str:
    """The requester's address of the request (the link in every message to them)."""
    path = reverse("appeals:by-token", kwargs={"token": appeal.access_token})
    return f"{settings.SILIU_PUBLIC_URL.rstrip('/')}{path}"


def _when(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}"


def _tell(appeal: Appeal, text: str, now: datetime.datetime) -> None:
    """Queue ``text`` to the requester's phone, when there is one."""
    if appeal.phone:
        message_queue(to=appeal.phone, text=text, kind=MessageKind.APPEAL_UPDATE, appeal=appeal, now=now)


def _user_with_phone(phone: str) -> User | None:
    """The one user whose profile holds ``phone``, so that a request filed for them shows on their page."""
    users = list(UserProfile.objects.filter(phone=phone).values_list("user_id", flat=True)[:2])
    return User.objects.get(pk=users[0]) if len(users) == 1 else None


def _create(
    *,
    draft: _Draft,
    village_code: str,
    channel: AppealChannel,
    requester: User | None,
    phone: str,
    filed_by: User | None,
    photo: UploadedFile | None,
    now: datetime.datetime,
) -> Appeal:
    route = appeal_route(village_code=village_code)
    photo_url = ""
    if photo is not None:
        photo_url = image_store(upload=photo, size=photo.size or 0, folder=f"appeals/{now:%Y%m}")
    acknowledge_due_at, resolve_due_at = appeal_due(category=draft.category, filed_at=now)
    appeal = Appeal.objects.create(
        category=draft.category,
        channel=channel,
        village=route.village,
        township=route.township,
        outlet=route.outlet,
        text=draft.text,
        photo_url=photo_url,
        requester=requester,
        phone=phone,
        filed_by=filed_by,
        access_token=secrets.token_urlsafe(18),
        filed_at=now,
        acknowledge_due_at=acknowledge_due_at,
        resolve_due_at=resolve_due_at,
    )
    _event(appeal, kind=AppealEventKind.FILED, from_status="", actor=filed_by or requester, now=now)
    _tell(
        appeal,
        _(
            "【四流】您反映的%(category)s（编号 %(number)d）已提交，由%(outlet)s办理，"
            "%(due)s 前受理。查看进度：%(link)s"
        )
        % {
            "category": draft.category.label,
            "number": appeal.pk,
            "outlet": route.outlet.name,
            "due": _when(acknowledge_due_at),
            "link": appeal_link(appeal),
        },
        now,
    )
    return appeal


@transaction.atomic
def appeal_file(
    *,
    requester: User,
    category: str,
    village_code: str,
    text: str,
    photo: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> Appeal:
    """File a request as a logged-in user; they are told by message when their profile has a mobile
    number, and on their page (我的诉求) in any case.

    Raises
    ------
    ValidationFailed
        ``invalid_category`` (``category``), ``text_required`` / ``too_long`` (``text``),
        ``village_required`` / ``unknown_village`` / ``village_not_served`` (``village``),
        ``photo_too_large`` / ``not_an_image`` (``photo``).
    """
    now = now or timezone.now()
    draft = _draft(category=category, text=text)
    profile = UserProfile.objects.filter(user_id=requester.pk).values_list("phone", flat=True).first()
    return _create(
        draft=draft,
        village_code=village_code,
        channel=AppealChannel.ONLINE,
        requester=requester,
        phone=profile or "",
        filed_by=None,
        photo=photo,
        now=now,
    )


@transaction.atomic
def appeal_file_for_villager(
    *,
    operator: User,
    counter: Outlet,
    phone: str,
    category: str,
    village_code: str,
    text: str,
    photo: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> Appeal:
    """File a request at a station counter for a villager who is there: the villager's mobile number
    is where they are told and the link they rate from; the operator is recorded as filing it.

    Raises
    ------
    PermissionRefused
        ``not_your_counter`` unless ``operator`` holds ``appeal.file_for`` at ``counter``.
    ValidationFailed
        ``invalid_phone`` (``phone``) and what :func:`appeal_file` raises.
    """
    now = now or timezone.now()
    if not user_can_at(operator, Permission.APPEAL_FILE_FOR, counter):
        raise PermissionRefused("not_your_counter", _("只能在您负责的站点为村民代提诉求"))
    phone = mobile_validate(phone, field="phone")
    draft = _draft(category=category, text=text)
    return _create(
        draft=draft,
        village_code=village_code,
        channel=AppealChannel.COUNTER,
        requester=_user_with_phone(phone),
        phone=phone,
        filed_by=operator,
        photo=photo,
        now=now,
    )


def appeal_file_with_code(
    *,
    phone: str,
    code: str,
    category: str,
    village_code: str,
    text: str,
    photo: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> Appeal:
    """File a request without an account, the phone confirmed by the code sent to it; the code is
    used up by the filing. Not one transaction on purpose: a wrong code's try is kept (see
    :func:`phone_code_check`); the filing and the code's use are one.

    Raises
    ------
    ValidationFailed
        What :func:`phone_code_check` and :func:`appeal_file` raise; ``no_code`` when the code was used
        by another filing meanwhile.
    """
    now = now or timezone.now()
    draft = _draft(category=category, text=text)
    appeal_route(village_code=village_code)  # a bad village is refused before a try is spent
    confirmed = phone_code_check(phone=phone, code=code, now=now)
    with transaction.atomic():
        used = PhoneCode.objects.filter(pk=confirmed.pk, used_at__isnull=True).update(used_at=now)
        if not used:
            raise ValidationFailed("no_code", _("请先获取短信验证码"), field="code")
        return _create(
            draft=draft,
            village_code=village_code,
            channel=AppealChannel.PHONE,
            requester=_user_with_phone(confirmed.phone),
            phone=confirmed.phone,
            filed_by=None,
            photo=photo,
            now=now,
        )


# --- transitions ------------------------------------------------------------------------------------


def _event(
    appeal: Appeal,
    *,
    kind: AppealEventKind,
    from_status: str,
    actor: Actor | None,
    now: datetime.datetime,
    note: str = "",
    job: Job | None = None,
) -> None:
    AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        from_status=from_status,
        to_status=appeal.status,
        actor=acting_user(actor),
        job=job,
        occurred_at=now,
        note=note[:NOTE_MAX_LENGTH],
    )
    event_append(
        APPEAL_ESCALATED if kind == AppealEventKind.ESCALATED else appeal_status_kind(appeal.status),
        appeal.pk,
        at=now,
    )


def _transition(
    appeal: Appeal,
    *,
    to: AppealStatus,
    kind: AppealEventKind,
    actor: Actor | None,
    now: datetime.datetime,
    note: str = "",
    job: Job | None = None,
    fields: tuple[str, ...] = (),
) -> None:
    """Move ``appeal`` (locked) to ``to`` and record it; the caller has set the other ``fields``."""
    before = appeal.status
    if to not in APPEAL_TRANSITIONS[before]:
        raise Conflict(
            "invalid_transition",
            _("该诉求%(status)s，不能再%(action)s")
            % {"status": AppealStatus(before).label, "action": kind.label},
        )
    appeal.status = to
    appeal.save(update_fields=["status", *fields])
    _event(appeal, kind=kind, from_status=before, actor=actor, now=now, note=note, job=job)


def _locked(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("outlet").get(pk=appeal.pk)


def _check_handler(appeal: Appeal, actor: Actor) -> None:
    if not user_can_at(actor, Permission.APPEAL_HANDLE, appeal.outlet):
        raise PermissionRefused("not_your_appeal", _("只有承办网点或本县管理员可以办理该诉求"))


def _note(note: str, *, field: str = "note", required: bool = False, limit: int = NOTE_MAX_LENGTH) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationFailed("note_required", _("请写明办理情况"), field=field)
    if len(note) > limit:
        raise ValidationFailed("too_long", _("最多 %(n)d 个字") % {"n": limit}, field=field)
    return note


@transaction.atomic
def appeal_acknowledge(
    *, appeal: Appeal, actor: Actor, note: str = "", now: datetime.datetime | None = None
) -> Appeal:
    """Acknowledge a filed request (受理): the requester learns by when it will be resolved.

    Raises
    ------
    PermissionRefused
        ``not_your_appeal`` unless ``actor`` holds ``appeal.handle`` at its outlet.
    ValidationFailed
        ``too_long`` (``note``).
    Conflict
        ``invalid_transition`` unless it is filed.
    """
    now = now or timezone.now()
    appeal = _locked(appeal)
    _check_handler(appeal, actor)
    note = _note(note)
    appeal.acknowledged_at = now
    _transition(
        appeal,
        to=AppealStatus.ACKNOWLEDGED,
        kind=AppealEventKind.ACKNOWLEDGED,
        actor=actor,
        now=now,
        note=note,
        fields=("acknowledged_at",),
    )
    _tell_acknowledged(appeal, note, now)
    return appeal


def _tell_acknowledged(appeal: Appeal, note: str, now: datetime.datetime) -> None:
    _tell(
        appeal,
        _("【四流】您反映的%(category)s（编号 %(number)d）已受理，%(due)s 前办结。%(note)s")
        % {
            "category": AppealCategory(appeal.category).label,
            "number": appeal.pk,
            "due": _when(appeal.resolve_due_at),
            "note": note,
        },
        now,
    )


def _resolve(
    appeal: Appeal, *, actor: Actor, resolution: str, now: datetime.datetime, job: Job | None = None
) -> None:
    """Resolve the locked ``appeal`` with ``resolution`` and tell the requester."""
    appeal.resolution = resolution
    appeal.resolved_at = now
    appeal.acknowledged_at = appeal.acknowledged_at or now
    _transition(
        appeal,
        to=AppealStatus.RESOLVED,
        kind=AppealEventKind.RESOLVED,
        actor=actor,
        now=now,
        note=resolution,
        job=job,
        fields=("resolution", "resolved_at", "acknowledged_at"),
    )
    _tell(
        appeal,
        _("【四流】您反映的%(category)s（编号 %(number)d）已办结：%(resolution)s 请为办理结果打分：%(link)s")
        % {
            "category": AppealCategory(appeal.category).label,
            "number": appeal.pk,
            "resolution": resolution[:120],
            "link": appeal_link(appeal),
        },
        now,
    )


@transaction.atomic
def appeal_resolve(
    *, appeal: Appeal, actor: Actor, resolution: str, now: datetime.datetime | None = None
) -> Appeal:
    """Resolve a filed or acknowledged request (办结) with a note of what was done; the requester is
    asked to rate it.

    Raises
    ------
    PermissionRefused
        ``not_your_appeal`` unless ``actor`` holds ``appeal.handle`` at its outlet.
    ValidationFailed
        ``note_required`` / ``too_long`` (``resolution``).
    Conflict
        ``invalid_transition`` unless it is filed or acknowledged.
    """
    now = now or timezone.now()
    appeal = _locked(appeal)
    _check_handler(appeal, actor)
    resolution = _note(resolution, field="resolution", required=True, limit=TEXT_MAX_LENGTH)
    _resolve(appeal, actor=actor, resolution=resolution, now=now)
    return appeal


@transaction.atomic
def appeal_reject_duplicate(
    *, appeal: Appeal, actor: Actor, duplicate_of_id: int, now: datetime.datetime | None = None
) -> Appeal:
    """Close a filed request as a duplicate of another one still counted (not itself rejected or
    withdrawn) at an outlet where ``actor`` may act; the requester is pointed to the other one.

    Raises
    ------
    PermissionRefused
        ``not_your_appeal``.
    ValidationFailed
        ``invalid_duplicate`` (``duplicate_of``): itself, unknown, not visible, or not counted.
    Conflict
        ``invalid_transition`` unless it is filed.
    """
    now = now or timezone.now()
    appeal = _locked(appeal)
    _check_handler(appeal, actor)
    original = Appeal.objects.select_related("outlet").filter(pk=duplicate_of_id).first()
    if (
        original is None
        or original.pk == appeal.pk
        or original.status in (AppealStatus.REJECTED, AppealStatus.WITHDRAWN)
        or not user_can_at(actor, Permission.APPEAL_HANDLE, original.outlet)
    ):
        raise ValidationFailed(
            "invalid_duplicate", _("请填写与之重复的另一件诉求的编号"), field="duplicate_of"
        )
    appeal.duplicate_of = original
    _transition(
        appeal,
        to=AppealStatus.REJECTED,
        kind=AppealEventKind.REJECTED,
        actor=actor,
        now=now,
        note=_("与 %(number)d 号诉求重复") % {"number": original.pk},
        fields=("duplicate_of",),
    )
    _tell(
        appeal,
        _("【四流】您反映的事情（编号 %(number)d）与 %(original)d 号诉求相同，已合并办理。")
        % {"number": appeal.pk, "original": original.pk},
        now,
    )
    return appeal


def _check_requester(appeal: Appeal, actor: Actor, token: str) -> None:
    """The requester: the logged-in user who filed it (or for whom it was filed), or who holds its link."""
    if actor.is_authenticated and appeal.requester_id is not None and appeal.requester_id == actor.pk:
        return
    if token and hmac.compare_digest(token, appeal.access_token):
        return
    raise NotFound("unknown_appeal", _("没有这件诉求"))


@transaction.atomic
def appeal_withdraw(
    *, appeal: Appeal, actor: Actor, token: str = "", now: datetime.datetime | None = None
) -> Appeal:
    """The requester withdraws a request not yet resolved.

    Raises
    ------
    NotFound
        ``unknown_appeal`` unless ``actor`` is the requester or ``token`` is the request's.
    Conflict
        ``invalid_transition`` once it is resolved, rejected or withdrawn.
    """
    now = now or timezone.now()
    appeal = _locked(appeal)
    _check_requester(appeal, actor, token)
    _transition(appeal, to=AppealStatus.WITHDRAWN, kind=AppealEventKind.WITHDRAWN, actor=actor, now=now)
    return appeal


@transaction.atomic
def appeal_rate(
    *,
    appeal: Appeal,
    actor: Actor,
    rating: int,
    text: str = "",
    token: str = "",
    now: datetime.datetime | None = None,
) -> Appeal:
    """The requester rates the result of a resolved request (1–5, and a word), which closes it.

    Raises
    ------
    NotFound
        ``unknown_appeal`` unless ``actor`` is the requester or ``token`` is the request's.
    ValidationFailed
        ``invalid_rating`` (``rating``), ``too_long`` (``text``).
    Conflict
        ``invalid_transition`` unless it is resolved (not yet rated).
    """
    now = now or timezone.now()
    appeal = _locked(appeal)
    _check_requester(appeal, actor, token)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed("invalid_rating", _("请打 1 到 5 分"), field="rating")
    text = _note(text, field="text", limit=RATING_TEXT_MAX_LENGTH)
    appeal.rating = rating
    appeal.rating_text = text
    appeal.rated_at = now
    _transition(
        appeal,
        to=AppealStatus.CLOSED,
        kind=AppealEventKind.CLOSED,
        actor=actor,
        now=now,
        note=f"{rating}/5 {text}".strip(),
        fields=("rating", "rating_text", "rated_at"),
    )
    return appeal


# --- escalation -------------------------------------------------------------------------------------


@transaction.atomic
def appeals_escalate(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Escalate to the county manager every open request past a due time it has not met: mark it
    (``escalated_at``, once), record an event and tell the requester. Return how many were escalated.

    Safe to run twice at once: the rows are locked (``SKIP LOCKED`` on PostgreSQL) and marked once.
    """
    now = now or timezone.now()
    late = list(
        Appeal.objects.select_for_update(skip_locked=True)
        .filter(escalated_at__isnull=True, status__in=OPEN_STATUSES)
        .filter(late_filter(now))
        .order_by("pk")[:limit]
    )
    for appeal in late:
        appeal.escalated_at = now
        appeal.save(update_fields=["escalated_at"])
        _event(
            appeal,
            kind=AppealEventKind.ESCALATED,
            from_status=appeal.status,
            actor=None,
            now=now,
            note=_("超过应受理时间")
            if appeal.status == AppealStatus.FILED and appeal.acknowledge_due_at <= now
            else _("超过应办结时间"),
        )
        _tell(
            appeal,
            _("【四流】您反映的%(category)s（编号 %(number)d）未能按时办理，已转县级管理员督办。")
            % {"category": AppealCategory(appeal.category).label, "number": appeal.pk},
            now,
        )
    return len(late)


# --- jobs -------------------------------------------------------------------------------------------


def appeals_join_job(*, appeals: list[Appeal], job: Job, actor: Actor, now: datetime.datetime) -> None:
    """Put the locked ``appeals`` in ``job`` (in the caller's transaction): each gets an event, a filed
    one is acknowledged with the job's note, and its requester is told."""
    for appeal in appeals:
        appeal.job = job
        if appeal.status == AppealStatus.FILED:
            appeal.acknowledged_at = now
            _transition(
                appeal,
                to=AppealStatus.ACKNOWLEDGED,
                kind=AppealEventKind.ACKNOWLEDGED,
                actor=actor,
                now=now,
                note=job.note,
                job=job,
                fields=("acknowledged_at", "job"),
            )
            _tell_acknowledged(appeal, job.note, now)
        else:
            appeal.save(update_fields=["job"])
            _event(
                appeal,
                kind=AppealEventKind.JOINED,
                from_status=appeal.status,
                actor=actor,
                now=now,
                note=job.note,
                job=job,
            )


def appeals_resolve_job(*, job: Job, actor: Actor, resolution: str, now: datetime.datetime) -> int:
    """Resolve every open request of ``job`` with ``resolution`` (in the caller's transaction, ``job``
    locked); return how many."""
    open_appeals = list(
        Appeal.objects.select_for_update(of=("self",))
        .filter(job=job, status__in=OPEN_STATUSES)
        .order_by("pk")
    )
    for appeal in open_appeals:
        _resolve(appeal, actor=actor, resolution=resolution, now=now, job=job)
    return len(open_appeals)
