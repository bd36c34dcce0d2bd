"""Pages of the outlet network: the list, an outlet, the map."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from siliu.core.errors import NotFound, ValidationFailed
from siliu.core.ratelimit import rate_limited_page
from siliu.network.models import OutletKind
from siliu.network.selectors import (
    OUTLET_SERVICES,
    network_map_data,
    outlet_counts,
    outlet_get,
    outlet_list,
    outlet_operator_shown,
    township_list,
)


@rate_limited_page()
def outlet_list_page(request: HttpRequest) -> HttpResponse:
    filters = {
        "kind": request.GET.get("kind", ""),
        "township": request.GET.get("township", ""),
        "search": request.GET.get("search", ""),
        "service": request.GET.get("service", ""),
    }
    context: dict[str, object] = {
        "filters": filters,
        "kinds": OutletKind.choices,
        "services": [(name, label) for name, (_flag, label) in OUTLET_SERVICES.items()],
        "townships": township_list(),
        "counts": outlet_counts(),
    }
    try:
        outlets = outlet_list(
            kind=filters["kind"] or None,
            township=filters["township"] or None,
            search=filters["search"] or None,
            service=filters["service"] or None,
        )
    except ValidationFailed as error:
        context["error"] = error.message
        return render(request, "network/outlet_list.html", context, status=400)
    context["page"] = Paginator(outlets, 50).get_page(request.GET.get("page"))
    return render(request, "network/outlet_list.html", context)


@rate_limited_page()
def outlet_detail_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        outlet = outlet_get(code=code)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(
        request, "network/outlet_detail.html", {"outlet": outlet, "operator": outlet_operator_shown(outlet)}
    )


@rate_limited_page()
def network_map_page(request: HttpRequest) -> HttpResponse:
    """The map of the outlets; ``?service=sign_language`` (or another) draws only those offering it."""
    service = request.GET.get("service", "")
    context: dict[str, object] = {
        "counts": outlet_counts(),
        "service": service,
        "services": [(name, label) for name, (_flag, label) in OUTLET_SERVICES.items()],
    }
    try:
        context["map_data"] = network_map_data(service=service or None)
    except ValidationFailed as error:
        context["error"] = error.message
        context["map_data"] = network_map_data()
        return render(request, "network/map.html", context, status=400)
    return render(request, "network/map.html", context)
