from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "siliu.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        # Registers the production checks (`siliu check --deploy`) by importing them.
        from siliu.core import checks  # noqa: F401
