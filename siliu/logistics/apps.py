from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "siliu.logistics"
    label = "logistics"
    verbose_name = _("物流")

    def ready(self) -> None:
        from siliu.logistics.pricing.reference import reference_signals_connect

        reference_signals_connect()
