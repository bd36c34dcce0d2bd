"""The stamp catalogue, written: an issue is checked (:func:`stamp_issue_check`, which the admin's form
calls too) and added with its picture, an upload or a placeholder drawn for it."""

import datetime
import io
import re
from dataclasses import dataclass
from typing import IO, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.images import image_store
from siliu.core.permissions import Permission, user_can
from siliu.core.roles import Actor
from siliu.outreach.models import (
    MAX_SOUVENIR_SHEETS,
    MAX_STAMPS_IN_SET,
    SERIES_NUMBER_REGEX,
    StampIssue,
    StampTheme,
)
from siliu.outreach.stamps.placeholder import stamp_placeholder_png

NAME_MAX_LENGTH: Final = 100
DESCRIPTION_MAX_LENGTH: Final = 2000
#: The largest face value a set is entered with (¥1,000; the dearest sets are a few tens of yuan).
MAX_FACE_VALUE_FEN: Final = 100_000
#: The People's Republic's first stamps (纪1) were issued on 8 October 1949.
FIRST_ISSUE_ON: Final = datetime.date(1949, 10, 8)
#: Where pictures of stamps are stored under ``MEDIA_ROOT``.
IMAGE_FOLDER: Final = "stamps"


@dataclass(frozen=True)
class StampIssueFields:
    """An issue's fields as checked by :func:`stamp_issue_check`: trimmed, the 志号 in capitals."""

    name: str
    series_number: str
    issued_on: datetime.date
    stamp_count: int
    souvenir_sheet_count: int
    face_value_fen: int | None
    theme: str
    description: str


def _whole(value: object, *, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def stamp_issue_check(
    *,
    name: str,
    series_number: str,
    issued_on: datetime.date | None,
    stamp_count: int | None,
    souvenir_sheet_count: int = 0,
    face_value_fen: int | None = None,
    theme: str,
    description: str = "",
    today: datetime.date,
) -> StampIssueFields:
    """Check an issue's fields as a catalogue holds them.

    The 志号 is ``YYYY-N`` (since 1992, its year the issue's year), ``J123`` / ``T123`` or ``纪9`` /
    ``特1``; the issue date lies between the first stamps of 1949 and ``today``; a set has 1–100 stamps
    and 0–10 souvenir sheets; the face value of its stamps, when known, is 1 fen to ¥1,000.

    Raises
    ------
    ValidationFailed
        ``name_required`` / ``too_long`` (``name``), ``invalid_series_number`` /
        ``series_year_mismatch`` (``series_number``), ``issued_on_required`` / ``issued_in_future`` /
        ``issued_too_early`` (``issued_on``), ``invalid_stamp_count`` (``stamp_count``),
        ``invalid_sheet_count`` (``souvenir_sheet_count``), ``invalid_face_value``
        (``face_value_fen``), ``invalid_theme`` (``theme``), ``too_long`` (``description``).
    """
    name = (name or "").strip().strip("《》").strip()
    if not name:
        raise ValidationFailed("name_required", _("请填写邮票名称"), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed("too_long", _("名称最多 %(n)d 个字") % {"n": NAME_MAX_LENGTH}, field="name")
    series_number = re.sub(r"[\s.]", "", series_number or "").upper()
    if not re.fullmatch(SERIES_NUMBER_REGEX, series_number):
        raise ValidationFailed(
            "invalid_series_number",
            _("志号应如 2021-17（1992 年以前如 J178、T46、纪9）"),
            field="series_number",
        )
    if issued_on is None:
        raise ValidationFailed("issued_on_required", _("请填写发行日期"), field="issued_on")
    if issued_on > today:
        raise ValidationFailed("issued_in_future", _("发行日期不能晚于今天"), field="issued_on")
    if issued_on < FIRST_ISSUE_ON:
        raise ValidationFailed(
            "issued_too_early", _("目录收录 1949 年 10 月以后发行的邮票"), field="issued_on"
        )
    if "-" in series_number and int(series_number[:4]) != issued_on.year:
        raise ValidationFailed(
            "series_year_mismatch",
            _("志号 %(number)s 的年份与发行日期（%(year)d 年）不符")
            % {"number": series_number, "year": issued_on.year},
            field="series_number",
        )
    if not _whole(stamp_count, low=1, high=MAX_STAMPS_IN_SET):
        raise ValidationFailed(
            "invalid_stamp_count",
            _("邮票枚数应为 1–%(n)d 的整数") % {"n": MAX_STAMPS_IN_SET},
            field="stamp_count",
        )
    if not _whole(souvenir_sheet_count, low=0, high=MAX_SOUVENIR_SHEETS):
        raise ValidationFailed(
            "invalid_sheet_count",
            _("小型张枚数应为 0–%(n)d 的整数") % {"n": MAX_SOUVENIR_SHEETS},
            field="souvenir_sheet_count",
        )
    if face_value_fen is not None and not _whole(face_value_fen, low=1, high=MAX_FACE_VALUE_FEN):
        raise ValidationFailed(
            "invalid_face_value", _("面值应在 ¥0.01 到 ¥1,000.00 之间"), field="face_value_fen"
        )
    if theme not in StampTheme.values:
        raise ValidationFailed("invalid_theme", _("请选择主题"), field="theme")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationFailed(
            "too_long", _("简介最多 %(n)d 个字") % {"n": DESCRIPTION_MAX_LENGTH}, field="description"
        )
    assert stamp_count is not None
    return StampIssueFields(
        name=name,
        series_number=series_number,
        issued_on=issued_on,
        stamp_count=stamp_count,
        souvenir_sheet_count=souvenir_sheet_count,
        face_value_fen=face_value_fen,
        theme=theme,
        description=description,
    )


def stamp_image_placeholder_store(*, name: str, series_number: str, face_value_fen: int | None) -> str:
    """Draw the placeholder picture of an issue and store it with its thumbnail; its URL."""
    png = stamp_placeholder_png(name=name, series_number=series_number, face_value_fen=face_value_fen)
    return image_store(upload=io.BytesIO(png), size=len(png), folder=IMAGE_FOLDER, field="image")


def _check_manager(actor: Actor) -> None:
    if not user_can(actor, Permission.OUTREACH_MANAGE):
        raise PermissionRefused("not_outreach_manager", _("需要邮票展览的管理权限（县级管理员）"))


@transaction.atomic
def stamp_issue_create(
    *,
    actor: Actor,
    name: str,
    series_number: str,
    issued_on: datetime.date | None,
    stamp_count: int | None,
    theme: str,
    souvenir_sheet_count: int = 0,
    face_value_fen: int | None = None,
    description: str = "",
    image: IO[bytes] | None = None,
    image_size: int = 0,
    today: datetime.date | None = None,
) -> StampIssue:
    """Add an issue to the catalogue, with the uploaded ``image`` (checked and re-encoded) or, without
    one, a placeholder picture drawn from its name and face value.

    Raises
    ------
    PermissionRefused
        ``not_outreach_manager`` without ``outreach.manage``.
    ValidationFailed
        what :func:`stamp_issue_check` raises; ``not_an_image`` / ``photo_too_large`` (``image``).
    Conflict
        ``series_number_taken`` (``series_number``) when the catalogue has that 志号.
    """
    _check_manager(actor)
    fields = stamp_issue_check(
        name=name,
        series_number=series_number,
        issued_on=issued_on,
        stamp_count=stamp_count,
        souvenir_sheet_count=souvenir_sheet_count,
        face_value_fen=face_value_fen,
        theme=theme,
        description=description,
        today=today or timezone.localdate(),
    )
    taken = Conflict(
        "series_number_taken",
        _("目录中已有志号 %(number)s 的邮票") % {"number": fields.series_number},
        field="series_number",
    )
    if StampIssue.objects.filter(series_number=fields.series_number).exists():
        raise taken
    if image is not None:
        url = image_store(upload=image, size=image_size, folder=IMAGE_FOLDER, field="image")
    else:
        url = stamp_image_placeholder_store(
            name=fields.name, series_number=fields.series_number, face_value_fen=fields.face_value_fen
        )
    try:
        with transaction.atomic():
            return StampIssue.objects.create(
                name=fields.name,
                series_number=fields.series_number,
                issued_on=fields.issued_on,
                stamp_count=fields.stamp_count,
                souvenir_sheet_count=fields.souvenir_sheet_count,
                face_value_fen=fields.face_value_fen,
                theme=fields.theme,
                description=fields.description,
                image=url,
            )
    except IntegrityError:
        raise taken from None
