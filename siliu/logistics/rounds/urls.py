"""Delivery round pages under ``/logistics/rounds/``."""

from django.urls import path

from siliu.logistics.rounds import views

urlpatterns = [
    path("", views.rounds_page, name="rounds"),
    path("today/", views.rounds_today_page, name="rounds-today"),
    path("sw.js", views.round_service_worker, name="rounds-sw"),
    path("<int:plan_id>/", views.round_plan_page, name="round-plan"),
    path("<int:plan_id>/status/", views.round_plan_status, name="round-plan-status"),
    path("<int:plan_id>/sheets.pdf", views.round_sheet_pdf, name="round-sheets"),
    path("<int:plan_id>/routes/<int:route>/depart/", views.round_depart_view, name="round-depart"),
    path(
        "<int:plan_id>/routes/<int:route>/stops/<int:stop>/arrive/",
        views.round_arrive_view,
        name="round-arrive",
    ),
]
