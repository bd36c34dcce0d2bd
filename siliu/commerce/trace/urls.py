"""Public trace pages under ``/t/``."""

from django.urls import path

from siliu.commerce.trace import views

app_name = "trace"

urlpatterns = [
    path("batches/new/<int:product_id>", views.batch_create_action, name="batch-create"),
    path("<str:code>/qr.svg", views.trace_qr_image, name="qr"),
    path("<str:code>", views.trace_page, name="batch"),
    path("<str:code>/<str:tracking_number>", views.trace_page, name="parcel"),
]
