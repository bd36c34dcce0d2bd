from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "siliu.outreach"
    label = "outreach"
    verbose_name = _("邮票上的党史")
