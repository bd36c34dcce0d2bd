"""The public outreach pages under ``/outreach/``."""

from django.urls import path

from siliu.outreach.coverage import views

urlpatterns = [
    path("", views.outreach_home_page, name="home"),
    path("coverage/", views.coverage_page, name="coverage"),
]
