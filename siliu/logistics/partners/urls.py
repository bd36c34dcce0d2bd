"""Partner courier pages under ``/logistics/``."""

from django.urls import path

from siliu.logistics.partners import views

urlpatterns = [
    path("partners/", views.partner_list_page, name="partner-list"),
    path("partners/new/", views.partner_new_page, name="partner-new"),
    path("partners/<str:code>/edit/", views.partner_edit_page, name="partner-edit"),
    path("partners/<str:code>/secret/", views.partner_secret_rotate_submit, name="partner-secret-rotate"),
    path(
        "partners/<str:code>/manifests/new/",
        views.partner_manifest_upload_page,
        name="partner-manifest-upload",
    ),
    path(
        "partners/<str:code>/statements/<str:month>.csv",
        views.partner_statement_csv,
        name="partner-statement-csv",
    ),
    path(
        "partners/<str:code>/statements/<str:month>.xlsx",
        views.partner_statement_xlsx,
        name="partner-statement-xlsx",
    ),
    path(
        "partners/<str:code>/statements/<str:month>/", views.partner_statement_page, name="partner-statement"
    ),
]
