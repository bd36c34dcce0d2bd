from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgencyConfig(AppConfig):
    name = "siliu.agency"
    label = "agency"
    verbose_name = _("代理便民服务")
