from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from siliu.core.api import TokenLoginView
from siliu.insight.dashboard.views import county_page
from siliu.logistics.parcels.views import track_page

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token", TokenLoginView.as_view(), name="auth-token"),
    path("", include("siliu.network.api_urls")),
    path("", include("siliu.finance.api_urls")),
    path("", include("siliu.logistics.api_urls")),
    path("", include("siliu.commerce.catalog.api_urls")),
    path("", include("siliu.commerce.trace.api_urls")),
    path("", include("siliu.commerce.orders.api_urls")),
    path("", include("siliu.lending.api_urls")),
    path("", include("siliu.insight.api_urls")),
    path("", include("siliu.agency.api_urls")),
    path("", include("siliu.appeals.api_urls")),
    path("", include("siliu.outreach.api_urls")),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from the sidecar's files, its start-up script from ?script: nothing inline, nothing remote.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="core/swagger_ui.html"),
        name="swagger-ui",
    ),
    path("", include("siliu.core.urls")),
    path("network/", include("siliu.network.urls")),
    path("finance/", include("siliu.finance.urls")),
    path("logistics/", include("siliu.logistics.urls")),
    path("shop/", include("siliu.commerce.catalog.urls")),
    path("shop/", include("siliu.commerce.orders.urls")),
    path("t/", include("siliu.commerce.trace.urls")),
    path("lending/", include("siliu.lending.urls")),
    path("insight/", include("siliu.insight.urls")),
    path("agency/", include("siliu.agency.urls")),
    path("appeals/", include("siliu.appeals.urls")),
    path("outreach/", include("siliu.outreach.urls")),
    path("county/", county_page, name="county"),
    path("track/", track_page, name="track-search"),
    path("track/<str:number>", track_page, name="track"),
]

if settings.SILIU_SERVE_MEDIA:
    # Development (DEBUG) and `siliu serve`; in production the web server serves MEDIA_ROOT itself.
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))

handler400 = "siliu.core.views.bad_request"
handler403 = "siliu.core.views.permission_denied"
handler404 = "siliu.core.views.page_not_found"
handler500 = "siliu.core.views.server_error"
