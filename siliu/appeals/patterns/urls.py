"""Recurring needs' pages under ``/appeals/``."""

from django.urls import path

from siliu.appeals.patterns import views

urlpatterns = [
    path("patterns/", views.pattern_list_page, name="patterns"),
    path("patterns/take/", views.pattern_take_submit, name="pattern-take"),
    path("jobs/<int:job_id>/", views.job_page, name="job"),
]
