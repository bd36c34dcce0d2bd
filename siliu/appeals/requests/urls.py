"""Request pages under ``/appeals/``."""

from django.urls import path

from siliu.appeals.requests import views

urlpatterns = [
    path("", views.appeal_mine_page, name="mine"),
    path("new/", views.appeal_new_page, name="new"),
    path("counter/", views.appeal_counter_page, name="counter"),
    path("handle/", views.appeal_queue_page, name="queue"),
    path("<int:appeal_id>/", views.appeal_detail_page, name="detail"),
    path("<int:appeal_id>/handle/", views.appeal_handle_submit, name="handle"),
    path("<int:appeal_id>/requester/", views.appeal_requester_submit, name="requester-act"),
    path("r/<str:token>/", views.appeal_token_page, name="by-token"),
]
