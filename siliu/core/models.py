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
