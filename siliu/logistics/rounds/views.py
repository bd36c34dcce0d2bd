"""Pages for delivery rounds: start a plan, watch it run, read the routes on a map, print route sheets,
and scan the parcels on board when the van leaves and at each stop."""

from functools import cache
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from siliu.core.errors import DomainError, NotFound
from siliu.core.permissions import Permission, user_can
from siliu.logistics.models import RoundPlan, RoundPlanStatus
from siliu.logistics.rounds.planning import MAX_SECONDS, MIN_SECONDS
from siliu.logistics.rounds.selectors import (
    courier_routes_today,
    non_delivery_choices,
    round_plan_data,
    round_plan_get,
    round_plans_visible,
    routes_scannable_by,
)
from siliu.logistics.rounds.services import RoundScanSummary, round_depart, round_stop_arrive
from siliu.logistics.rounds.sheets import route_sheets_pdf
from siliu.logistics.rounds.tasks import round_plan_queue
from siliu.network.models import Outlet, OutletKind
from siliu.network.selectors import outlets_scoped


class RoundPlanForm(forms.Form):
    outlet = forms.ModelChoiceField(
        queryset=Outlet.objects.filter(
            kind__in=[OutletKind.COUNTY_HUB, OutletKind.TOWNSHIP_OFFICE], is_active=True
        ).order_by("kind", "code"),
        to_field_name="code",
        label=gettext_lazy("发车网点"),
    )
    planned_on = forms.DateField(
        label=gettext_lazy("投递日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    seconds = forms.IntegerField(
        label=gettext_lazy("计算时长（秒）"), min_value=MIN_SECONDS, max_value=MAX_SECONDS, initial=5
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css


def _require(request: HttpRequest, permission: Permission) -> None:
    if not user_can(request.user, permission):
        raise PermissionDenied(_("只有站点运营员、投递员或县级管理员可以使用投递班次"))


def _plan(request: HttpRequest, plan_id: int) -> RoundPlan:
    try:
        return round_plan_get(plan_id=plan_id, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None


@login_required
def rounds_page(request: HttpRequest) -> HttpResponse:
    """The latest plans the user may read (a courier: their van's outlet); for who plans rounds, a
    form to choose an outlet, a day and a time budget, and start planning."""
    _require(request, Permission.ROUND_READ)
    may_plan = user_can(request.user, Permission.ROUND_PLAN)
    today = timezone.localdate()
    form = RoundPlanForm(request.POST or None, initial={"planned_on": today, "seconds": 5})
    outlets = form.fields["outlet"]
    outlets.queryset = outlets_scoped(  # type: ignore[attr-defined]
        outlets.queryset,  # type: ignore[attr-defined]
        user=request.user,
        permission=Permission.ROUND_PLAN,
    )
    status = 200
    if request.method == "POST" and not may_plan:
        raise PermissionDenied(_("只有站点运营员或县级管理员可以规划投递班次"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = round_plan_queue(
                outlet_code=data["outlet"].code,
                planned_on=data["planned_on"],
                seconds=data["seconds"],
                actor=request.user,
            )
        except DomainError as error:
            # The services name the API's fields; the form calls the day ``planned_on``.
            field = {"date": "planned_on"}.get(error.field or "", error.field)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            return redirect("logistics:round-plan", plan_id=plan.pk)
    if request.method == "POST":
        status = 400
    plans = round_plans_visible(actor=request.user)[:20]
    return render(
        request,
        "logistics/rounds/index.html",
        {"form": form if may_plan else None, "plans": plans},
        status=status,
    )


@login_required
def round_plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A plan: progress while it runs (polled every second), then the routes, the map and the scans."""
    _require(request, Permission.ROUND_READ)
    plan = _plan(request, plan_id)
    return render(request, "logistics/rounds/plan.html", _context(request, plan))


@login_required
def round_plan_status(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The progress fragment htmx polls; once the plan is finished the whole page reloads."""
    _require(request, Permission.ROUND_READ)
    plan = _plan(request, plan_id)
    response = render(request, "logistics/rounds/status.html", _context(request, plan))
    if request.headers.get("HX-Request") and plan.status in (RoundPlanStatus.DONE, RoundPlanStatus.FAILED):
        response["HX-Refresh"] = "true"
    return response


def _context(request: HttpRequest, plan: RoundPlan) -> dict[str, Any]:
    data = round_plan_data(plan)
    finished = plan.status in (RoundPlanStatus.DONE, RoundPlanStatus.FAILED)
    return {
        "plan": plan,
        # Route numbers (1-based) the user may scan out and in: all at their outlet, their own van's.
        "scannable": {index + 1 for index in routes_scannable_by(actor=request.user, plan=plan)},
        "data": data,
        "finished": finished,
        "map_data": {
            "outlet": plan.result.get("outlet"),
            "routes": data["routes"],
            "unserved": data["unserved"],
        },
    }


@login_required
def round_sheet_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Route sheets as PDF: every vehicle, one per page, or ``?route=N`` (1-based) for one driver."""
    _require(request, Permission.ROUND_READ)
    plan = _plan(request, plan_id)
    if plan.status != RoundPlanStatus.DONE:
        raise Http404(_("投递计划尚未完成"))
    route_index: int | None = None
    if request.GET.get("route"):
        try:
            route_index = int(request.GET["route"]) - 1
        except ValueError:
            raise Http404(_("线路编号无效")) from None
        if not 0 <= route_index < len(plan.result.get("routes", [])):
            raise Http404(_("线路编号无效"))
    response = HttpResponse(
        route_sheets_pdf(plan=plan, route_index=route_index), content_type="application/pdf"
    )
    suffix = f"-{route_index + 1}" if route_index is not None else ""
    response["Content-Disposition"] = f'inline; filename="rounds-{plan.pk}{suffix}.pdf"'
    return response


@login_required
def rounds_today_page(request: HttpRequest) -> HttpResponse:
    """我的班次: the routes the courier drives today, stops in planned order with the van's timetable,
    what to deliver and pick up at each, the map, depart and arrive buttons, and the scan box whose scans
    queue in the browser (IndexedDB) and go to ``POST /api/v1/scans`` when there is a network."""
    _require(request, Permission.ROUND_READ)
    routes = courier_routes_today(actor=request.user)
    first = routes[0].plan if routes else None
    return render(
        request,
        "logistics/rounds/today.html",
        {
            "routes": routes,
            "today": timezone.localdate(),
            "choices": non_delivery_choices(),
            "map_data": {
                "outlet": first.result.get("outlet"),
                "routes": [route.route for route in routes if route.plan.pk == first.pk],
                "unserved": [],
            }
            if first
            else None,
        },
    )


#: The service worker's source, a static file; served from ``/logistics/rounds/`` so that its scope
#: covers the courier's page (a worker controls only pages under the path it is served from).
SERVICE_WORKER = "logistics/courier_sw.js"


@cache
def _service_worker_source() -> bytes:
    found = finders.find(SERVICE_WORKER)
    if not found:
        raise Http404(SERVICE_WORKER)
    return Path(str(found)).read_bytes()


@require_GET
@cache_control(no_cache=True)
def round_service_worker(request: HttpRequest) -> HttpResponse:
    """The courier page's service worker (public: it is a static script; it caches what the page
    fetches and serves it from the cache when there is no network)."""
    return HttpResponse(_service_worker_source(), content_type="text/javascript; charset=utf-8")


def _back(request: HttpRequest, plan: RoundPlan) -> HttpResponse:
    """Back to the page the button was on: the courier's 我的班次, or the plan."""
    if request.POST.get("back") == "today":
        return redirect("logistics:rounds-today")
    return redirect("logistics:round-plan", plan_id=plan.pk)


def _report(request: HttpRequest, summary: RoundScanSummary, done: str) -> None:
    messages.success(request, _("%(done)s：记录 %(n)d 个扫描事件") % {"done": done, "n": summary.created})
    for refused in summary.refused:
        messages.warning(request, f"{refused.event_id.split(':')[1]}：{refused.message}")


@require_POST
@login_required
def round_depart_view(request: HttpRequest, plan_id: int, route: int) -> HttpResponse:
    """The van leaves: scan every parcel on board out of the outlet."""
    _require(request, Permission.ROUND_SCAN)
    plan = _plan(request, plan_id)
    try:
        summary = round_depart(plan=plan, route_index=route - 1, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _report(request, summary, _("已出车"))
    return _back(request, plan)


@require_POST
@login_required
def round_arrive_view(request: HttpRequest, plan_id: int, route: int, stop: int) -> HttpResponse:
    """The van reached a stop: scan its parcels in at the station."""
    _require(request, Permission.ROUND_SCAN)
    plan = _plan(request, plan_id)
    try:
        summary = round_stop_arrive(plan=plan, route_index=route - 1, stop_index=stop - 1, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        _report(request, summary, _("已到站"))
    return _back(request, plan)
