"""Exhibition pages under ``/outreach/``."""

from django.urls import path

from siliu.outreach.exhibitions import views

urlpatterns = [
    path("request/", views.exhibition_request_page, name="request"),
    path("exhibitions/", views.exhibition_list_page, name="exhibitions"),
    path("exhibitions/new/", views.exhibition_new_page, name="exhibition-new"),
    path("exhibitions/<int:exhibition_id>/", views.exhibition_page, name="exhibition"),
    path("exhibitions/<int:exhibition_id>/plan/", views.exhibition_plan_submit, name="exhibition-plan"),
    path("exhibitions/<int:exhibition_id>/hold/", views.exhibition_hold_submit, name="exhibition-hold"),
    path("exhibitions/<int:exhibition_id>/cancel/", views.exhibition_cancel_submit, name="exhibition-cancel"),
    path("exhibitions/<int:exhibition_id>/photos/", views.exhibition_photo_submit, name="exhibition-photo"),
]
