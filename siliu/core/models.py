"""Tables every part shares: a user's own settings of the site."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    """How a user wants the pages shown, on whatever device they log in from. The device remembers it
    too, in a cookie, for pages seen before logging in (see ``siliu.core.preferences``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("用户"),
    )
    elderly_mode = models.BooleanField(_("长辈模式"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("用户偏好")
        verbose_name_plural = _("用户偏好")

    def __str__(self) -> str:
        return f"{self.user}: {'长辈模式' if self.elderly_mode else '标准'}"


class UserProfile(models.Model):
    """How a villager is found at the counter: a mobile number and a resident ID number.

    The ID number is stored encrypted (``siliu.core.identity``), with a keyed hash to find it by and
    its masked form to show; lists show the phone masked too. Written by ``siliu.core.people``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("用户")
    )
    phone = models.CharField(_("手机号"), max_length=11, blank=True, db_index=True)
    resident_id_encrypted = models.TextField(_("身份证号（加密）"), blank=True)
    resident_id_hash = models.CharField(_("身份证号查找散列"), max_length=64, blank=True, db_index=True)
    resident_id_masked = models.CharField(_("身份证号（遮挡）"), max_length=18, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("用户资料")
        verbose_name_plural = _("用户资料")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(phone="") | models.Q(phone__regex=r"^1[3-9][0-9]{9}$"),
                name="user_profile_phone_mobile",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.phone[:3]}****{self.phone[-4:]}" if self.phone else str(self.user)


class Event(models.Model):
    """One thing that happened in a flow, appended in the transaction that made it happen: the outbox
    the information flow folds into its daily figures (``siliu.insight``), and the log it can be
    replayed from. ``ref`` names the row it happened to (an order's, a parcel's id); the row itself
    says the rest. Rows are never edited but for ``folded_at``, set once the figures hold them."""

    kind = models.CharField(_("事件类型"), max_length=40)
    ref = models.CharField(_("对象"), max_length=64)
    occurred_at = models.DateTimeField(_("发生时间"))
    folded_at = models.DateTimeField(_("计入统计时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("业务事件")
        verbose_name_plural = _("业务事件")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(folded_at__isnull=True), name="event_unfolded"),
            models.Index(fields=["kind", "occurred_at"], name="event_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}"
