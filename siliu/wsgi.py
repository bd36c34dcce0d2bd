"""WSGI entry point (gunicorn siliu.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siliu.settings")
application = get_wsgi_application()
