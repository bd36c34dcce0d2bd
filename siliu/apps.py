from django.apps import AppConfig


class WiringConfig(AppConfig):
    """Wires the parts together once every app is loaded: the hooks of :mod:`siliu.hooks`.

    Installed last, and above every app: no app imports it, so wiring them adds no import between
    them (the contract in ``pyproject.toml`` forbids a circle).
    """

    name = "siliu"
    label = "wiring"
    verbose_name = "四流"

    def ready(self) -> None:
        from siliu import hooks

        hooks.register()
