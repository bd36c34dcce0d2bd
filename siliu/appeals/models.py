"""People's requests (我为群众办实事): the requests, their events, the jobs that take a recurring need as
one piece of work, the phone codes that confirm a requester without an account, and the message outbox
that tells requesters what became of their request (ADR 0026)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppealCategory(models.TextChoices):
    DELIVERY = "delivery", _("投递问题")
    PICKUP = "pickup", _("取件、寄件问题")
    MISSING_SERVICE = "missing_service", _("缺少的服务")
    PRICE = "price", _("价格问题")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")


class AppealStatus(models.TextChoices):
    FILED = "filed", _("已提交")
    ACKNOWLEDGED = "acknowledged", _("已受理")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已评价")
    REJECTED = "rejected", _("重复，已合并")
    WITHDRAWN = "withdrawn", _("已撤回")


S = AppealStatus

#: Which status may follow which. A rating closes a resolved request; a request the same person filed
#: twice is rejected as a duplicate; the requester may withdraw one that is not yet resolved.
APPEAL_TRANSITIONS: dict[str, set[str]] = {
    S.FILED: {S.ACKNOWLEDGED, S.RESOLVED, S.REJECTED, S.WITHDRAWN},
    S.ACKNOWLEDGED: {S.RESOLVED, S.WITHDRAWN},
    S.RESOLVED: {S.CLOSED},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}

#: Statuses in which the outlet still owes the requester an answer.
OPEN_STATUSES = (S.FILED, S.ACKNOWLEDGED)
#: Statuses in which the outlet has answered.
DONE_STATUSES = (S.RESOLVED, S.CLOSED)


class AppealChannel(models.TextChoices):
    ONLINE = "online", _("网上（登录用户）")
    COUNTER = "counter", _("站点柜台代提")
    PHONE = "phone", _("手机验证提交")


class Job(models.Model):
    """A recurring need taken as one piece of work by the county manager: the requests in it are
    acknowledged together when it is taken and resolved together with one note."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        RESOLVED = "resolved", _("已办结")

    category = models.CharField(_("类别"), max_length=20, choices=AppealCategory.choices)
    township = models.ForeignKey(
        "network.Region", verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="appeal_jobs"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.CharField(_("办理安排"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeal_jobs",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("立项人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("立项时间"))
    resolution = models.CharField(_("办理结果"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("共性诉求并案")
        verbose_name_plural = _("共性诉求并案")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=AppealCategory.values), name="appeal_job_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | Q(status="resolved", resolved_at__isnull=False),
                name="appeal_job_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.get_category_display()} #{self.pk}"


#: Which status of a job may follow which.
JOB_TRANSITIONS: dict[str, set[str]] = {Job.Status.OPEN: {Job.Status.RESOLVED}, Job.Status.RESOLVED: set()}


class Appeal(models.Model):
    """A request or problem raised by a person, routed to the outlet that serves its village and
    followed until it is resolved and rated."""

    category = models.CharField(_("类别"), max_length=20, choices=AppealCategory.choices)
    status = models.CharField(_("状态"), max_length=15, choices=AppealStatus.choices, default=S.FILED)
    channel = models.CharField(_("提交方式"), max_length=10, choices=AppealChannel.choices)
    village = models.ForeignKey(
        "network.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="appeals"
    )
    #: The village's township, kept so that the figures and the patterns group without a join.
    township = models.ForeignKey(
        "network.Region", verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="+"
    )
    outlet = models.ForeignKey(
        "network.Outlet",
        verbose_name=_("承办网点"),
        on_delete=models.PROTECT,
        related_name="appeals",
        help_text=_("服务该村的村级服务站；没有时为乡镇邮政所。"),
    )
    text = models.TextField(_("内容"))
    photo_url = models.CharField(_("照片"), max_length=300, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    phone = models.CharField(_("联系手机"), max_length=11, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代提人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals_filed_for_others",
    )
    #: The secret in the requester's link (``/appeals/r/<token>/``): who holds it sees and rates the request.
    access_token = models.CharField(_("查看凭据"), max_length=40, unique=True)
    filed_at = models.DateTimeField(_("提交时间"))
    acknowledge_due_at = models.DateTimeField(_("应受理时间"))
    resolve_due_at = models.DateTimeField(_("应办结时间"))
    acknowledged_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_text = models.CharField(_("评价"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    job = models.ForeignKey(
        Job, verbose_name=_("并案"), on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("重复于"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )

    class Meta:
        verbose_name = _("群众诉求")
        verbose_name_plural = _("群众诉求")
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["outlet", "status"], name="appeal_outlet_status"),
            models.Index(fields=["township", "category", "filed_at"], name="appeal_township_category"),
            models.Index(fields=["status", "resolve_due_at"], name="appeal_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=AppealCategory.values), name="appeal_category_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=AppealStatus.values), name="appeal_status_valid"),
            models.CheckConstraint(
                condition=Q(channel__in=AppealChannel.values), name="appeal_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="appeal_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(rating__isnull=False), name="appeal_closed_is_rated"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | Q(resolved_at__isnull=False),
                name="appeal_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=r"^1[3-9][0-9]{9}$"), name="appeal_phone_mobile"
            ),
            models.CheckConstraint(
                condition=Q(requester__isnull=False) | ~Q(phone=""), name="appeal_requester_reachable"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} {self.get_status_display()}"


class AppealEventKind(models.TextChoices):
    FILED = "filed", _("提交")
    ACKNOWLEDGED = "acknowledged", _("受理")
    RESOLVED = "resolved", _("办结")
    CLOSED = "closed", _("评价")
    REJECTED = "rejected", _("驳回（重复）")
    WITHDRAWN = "withdrawn", _("撤回")
    ESCALATED = "escalated", _("超时升级")
    JOINED = "joined", _("并案办理")


class AppealEvent(models.Model):
    """What happened to a request: a change of status, its escalation, or its joining a job."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事项"), max_length=15, choices=AppealEventKind.choices)
    from_status = models.CharField(_("原状态"), max_length=15, choices=AppealStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=15, choices=AppealStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    job = models.ForeignKey(
        Job, verbose_name=_("并案"), on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["appeal", "occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AppealEventKind.values), name="appeal_event_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.from_status}→{self.to_status}"


class PhoneCode(models.Model):
    """A six-digit code sent to a phone to confirm that whoever files a request without an account
    holds it. Only its keyed hash is kept; it expires, and dies after a few wrong tries."""

    phone = models.CharField(_("手机号"), max_length=11)
    code_hash = models.CharField(_("验证码散列"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempt_count = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("手机验证码")
        verbose_name_plural = _("手机验证码")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["phone", "created_at"], name="phone_code_latest")]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"


class MessageKind(models.TextChoices):
    PHONE_CODE = "phone_code", _("验证码")
    APPEAL_UPDATE = "appeal_update", _("诉求进展")


class Message(models.Model):
    """A text message owed to a phone: written in the transaction that has something to say, sent after
    it commits by the configured backend, retried until sent or given up."""

    to = models.CharField(_("收信手机"), max_length=11)
    text = models.CharField(_("内容"), max_length=500)
    kind = models.CharField(_("类别"), max_length=20, choices=MessageKind.choices)
    appeal = models.ForeignKey(
        Appeal,
        verbose_name=_("诉求"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    created_at = models.DateTimeField(_("写入时间"))
    next_attempt_at = models.DateTimeField(_("下次发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("短信")
        verbose_name_plural = _("短信")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["next_attempt_at"], name="message_due")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MessageKind.values), name="message_kind_valid"),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(next_attempt_at__isnull=True),
                name="message_sent_not_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to[:3]}****{self.to[-4:]} {self.get_kind_display()}"
