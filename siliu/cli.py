"""The ``siliu`` console command: Django's management commands with Siliu's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siliu.settings")
    from django.core.management import execute_from_command_line

    # `siliu plan-rounds` reads better than `siliu plan_rounds`; Django's command names use underscores.
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        sys.argv[1] = sys.argv[1].replace("-", "_")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
