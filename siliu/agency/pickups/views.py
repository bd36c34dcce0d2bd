"""Home pickups' pages: the villager's 上门揽收 (ask, see the price, follow, cancel) and the station's list
(today and coming, file for a villager, cancel, mark missed, accept the parcel)."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from siliu.agency.pickups.models import HomePickup, HomePickupStatus
from siliu.agency.pickups.selectors import (
    STATION_TABS,
    HomePickupQuote,
    home_pickup_get,
    home_pickup_label,
    home_pickup_price_words,
    home_pickup_quote,
    home_pickup_window,
    home_pickups_of,
    pickup_station_get,
    pickup_stations_of,
    station_home_pickups,
    unplanned_reason_words,
)
from siliu.agency.pickups.services import (
    ADDRESS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    MAX_WEIGHT_G,
    NAME_MAX_LENGTH,
    home_pickup_cancel,
    home_pickup_miss,
    home_pickup_request,
)
from siliu.core.errors import DomainError
from siliu.core.identity import mobile_mask
from siliu.core.names import person_name
from siliu.core.permissions import Permission, user_can, user_can_at
from siliu.network.destinations import village_picker_context


class HomePickupForm(forms.Form):
    """A home pickup as a person fills it in: the village from the township → village picker."""

    township = forms.CharField(required=False, max_length=12)
    village = forms.CharField(required=False, max_length=12)
    address = forms.CharField(label=gettext_lazy("门牌地址"), max_length=ADDRESS_MAX_LENGTH)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=NAME_MAX_LENGTH)
    contact_phone = forms.CharField(label=gettext_lazy("手机号"), max_length=20)
    window_on = forms.DateField(
        label=gettext_lazy("上门日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    window_starts_at = forms.TimeField(
        label=gettext_lazy("时段起"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    window_ends_at = forms.TimeField(
        label=gettext_lazy("时段止"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    description = forms.CharField(label=gettext_lazy("要寄的物品"), max_length=DESCRIPTION_MAX_LENGTH)
    weight_kg = forms.DecimalField(
        label=gettext_lazy("预估重量（千克）"),
        min_value=Decimal("0.1"),
        max_value=Decimal(MAX_WEIGHT_G // 1000),
        decimal_places=1,
    )

    PICKER_FIELDS = ("township", "village")
    #: Bootstrap columns of the other fields: a row of address, name and phone; one of the window; one of
    #: the goods.
    COLUMNS = {
        "address": "col-12 col-md-6",
        "contact_name": "col-6 col-md-3",
        "contact_phone": "col-6 col-md-3",
        "window_on": "col-12 col-md-4",
        "window_starts_at": "col-6 col-md-4",
        "window_ends_at": "col-6 col-md-4",
        "description": "col-12 col-md-8",
        "weight_kg": "col-12 col-md-4",
    }
    #: The services' field names, as the form calls them.
    FIELD_OF = {"weight_g": "weight_kg"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in self.PICKER_FIELDS:
                field.widget.attrs["class"] = "form-control"
        self.fields["contact_phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        self.fields["weight_kg"].widget.attrs.update(inputmode="decimal", step="0.1")

    @property
    def detail_fields(self) -> list[tuple[forms.BoundField, str]]:
        """The fields after the village picker, each with its Bootstrap columns."""
        return [(self[name], self.COLUMNS[name]) for name in self.fields if name not in self.PICKER_FIELDS]

    def picker_context(self) -> dict[str, Any]:
        data = self.data if self.is_bound else self.initial
        return village_picker_context(
            township_code=str(data.get("township", "") or ""), village_code=str(data.get("village", "") or "")
        )

    def add_domain_error(self, error: DomainError) -> None:
        field = self.FIELD_OF.get(error.field or "", error.field)
        self.add_error(field if field in self.fields else None, error.message)


def _initial(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return {
        "window_on": tomorrow,
        "window_starts_at": datetime.time(9),
        "window_ends_at": datetime.time(11),
        **extra,
    }


def _filed(
    request: HttpRequest, form: HomePickupForm, *, on_behalf: bool
) -> tuple[Any, HomePickupQuote | None]:
    """The quote for the form's village (``quote``), or the request filed (``confirm``); (None, quote)
    or (pickup, None); form errors are added to ``form``."""
    data = form.cleaned_data
    try:
        quote = home_pickup_quote(village_code=data["village"])
        if "confirm" not in request.POST:
            return None, quote
        pickup = home_pickup_request(
            village_code=data["village"],
            address=data["address"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            window_on=data["window_on"],
            window_starts_at=data["window_starts_at"],
            window_ends_at=data["window_ends_at"],
            description=data["description"],
            weight_g=int(data["weight_kg"] * 1000),
            on_behalf=on_behalf,
            actor=request.user,
        )
    except DomainError as error:
        form.add_domain_error(error)
        return None, None
    messages.success(
        request,
        _("已预约上门揽收 %(number)s（%(station)s，上门费 %(price)s，随邮费在揽收时收取）")
        % {
            "number": pickup.number,
            "station": pickup.station.name,
            "price": home_pickup_price_words(pickup.price_fen),
        },
    )
    return pickup, None


def _row(pickup: HomePickup) -> dict[str, Any]:
    return {
        "pickup": pickup,
        "label": home_pickup_label(pickup),
        "window": home_pickup_window(pickup),
        "price": home_pickup_price_words(pickup.price_fen),
        "weight_kg": f"{pickup.weight_g / 1000:g}",
        "phone": mobile_mask(pickup.contact_phone),
        "reason": unplanned_reason_words(pickup),
        "is_open": pickup.status in (HomePickupStatus.REQUESTED, HomePickupStatus.PLANNED),
    }


@login_required
def pickups_page(request: HttpRequest) -> HttpResponse:
    """上门揽收: ask for goods to be collected at home (the price shown first), and one's requests."""
    form = HomePickupForm(
        request.POST or None, initial=_initial(request, contact_name=person_name(request.user))
    )
    quote = None
    status = 200
    if request.method == "POST" and "pick" not in request.POST:
        if form.is_valid():
            pickup, quote = _filed(request, form, on_behalf=False)
            if pickup is not None:
                return redirect("agency:pickups")
        if form.errors:
            status = 400
    return render(
        request,
        "agency/pickups/mine.html",
        {
            "form": form,
            "quote": quote,
            "quote_price": home_pickup_price_words(quote.price_fen) if quote else "",
            "rows": [_row(pickup) for pickup in home_pickups_of(user=request.user)[:50]],
            **form.picker_context(),
        },
        status=status,
    )


def _station_url(name: str, code: str, **query: str) -> str:
    return f"{reverse(name)}?{urlencode({'station': code, **query})}"


def _require(request: HttpRequest, permission: Permission) -> None:
    if not user_can(request.user, permission):
        raise PermissionDenied(_("只有服务站工作人员或县级管理员可以查看上门揽收单"))


@login_required
def station_pickups_page(request: HttpRequest) -> HttpResponse:
    """上门揽收单: a station's home pickups still to collect (by window, today's and overdue first) or
    closed; for its operator, filing one for a villager, cancelling, marking missed, accepting the parcel."""
    _require(request, Permission.PICKUP_READ)
    try:
        station = pickup_station_get(actor=request.user, code=request.GET.get("station", ""))
    except DomainError as error:
        raise Http404(error.message) from None
    tab = request.GET.get("tab", "open")
    if tab not in STATION_TABS:
        tab = "open"
    rows = list(station_home_pickups(station=station, tab=tab)[:200]) if station else []
    return render(
        request,
        "agency/pickups/station.html",
        {
            "station": station,
            "stations": pickup_stations_of(actor=request.user),
            "tab": tab,
            "today": timezone.localdate(),
            "rows": [_row(pickup) for pickup in rows],
            "may_act": station is not None
            and user_can_at(request.user, Permission.PICKUP_REQUEST_FOR, station),
            "may_accept": station is not None
            and user_can_at(request.user, Permission.STATION_OPERATE, station),
        },
    )


@login_required
def station_pickup_new_page(request: HttpRequest) -> HttpResponse:
    """为村民预约: the station's operator files a home pickup for a villager of its village."""
    if not user_can(request.user, Permission.PICKUP_REQUEST_FOR):
        raise PermissionDenied(_("只有服务站运营员可以为村民预约上门揽收"))
    try:
        station = pickup_station_get(
            actor=request.user, code=request.GET.get("station") or request.POST.get("station", "")
        )
    except DomainError as error:
        raise Http404(error.message) from None
    village = station.region.code if station is not None else ""
    form = HomePickupForm(request.POST or None, initial=_initial(request, village=village))
    quote = None
    status = 200
    if request.method == "POST" and "pick" not in request.POST:
        if form.is_valid():
            pickup, quote = _filed(request, form, on_behalf=True)
            if pickup is not None:
                return redirect(_station_url("agency:pickups-station", pickup.station.code))
        if form.errors:
            status = 400
    return render(
        request,
        "agency/pickups/new_for.html",
        {
            "form": form,
            "station": station,
            "quote": quote,
            "quote_price": home_pickup_price_words(quote.price_fen) if quote else "",
            **form.picker_context(),
        },
        status=status,
    )


def _back(request: HttpRequest, pickup: HomePickup) -> HttpResponse:
    if request.POST.get("back") == "station":
        return redirect(_station_url("agency:pickups-station", pickup.station.code))
    return redirect("agency:pickups")


def _pickup(request: HttpRequest, number: str) -> HomePickup:
    try:
        return home_pickup_get(number=number, actor=request.user)
    except DomainError as error:
        raise Http404(error.message) from None


@require_POST
@login_required
def pickup_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel a home pickup (the villager who asked for it, or its station)."""
    pickup = _pickup(request, number)
    try:
        home_pickup_cancel(pickup=pickup, actor=request.user, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已取消上门揽收 %(number)s") % {"number": pickup.number})
    return _back(request, pickup)


@require_POST
@login_required
def pickup_missed_view(request: HttpRequest, number: str) -> HttpResponse:
    """The courier could not collect: the request goes back to the next round."""
    if not user_can(request.user, Permission.PICKUP_REQUEST_FOR):
        raise PermissionDenied(_("只有服务站运营员可以登记未揽到"))
    pickup = _pickup(request, number)
    try:
        home_pickup_miss(pickup=pickup, actor=request.user, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(number)s 未揽到，已改排下一班次") % {"number": pickup.number})
    return _back(request, pickup)
