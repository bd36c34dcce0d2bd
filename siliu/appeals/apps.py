from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "siliu.appeals"
    label = "appeals"
    verbose_name = _("我为群众办实事")
