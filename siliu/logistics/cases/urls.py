"""Exception pages under ``/logistics/``: the list and the actions on a flagged parcel's case."""

from django.urls import path

from siliu.logistics.cases import views

urlpatterns = [
    path("exceptions/", views.exception_list_page, name="exceptions"),
    path("exceptions/<str:number>/", views.exception_act_submit, name="exception-act"),
]
