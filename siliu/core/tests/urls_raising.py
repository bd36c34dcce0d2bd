"""The site's URLs plus one that raises, for the 500 page's test only (never a public URL)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from siliu.urls import handler400, handler403, handler404, handler500
from siliu.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("boom", boom), *site_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
