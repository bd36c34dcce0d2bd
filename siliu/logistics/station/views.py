"""The station's pages: its parcels (本站邮件), handing one over (取件), accepting one (揽收), the slip."""

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import user_passes_test
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.core.errors import DomainError, ValidationFailed
from siliu.core.permissions import Permission, user_can
from siliu.core.roles import Actor
from siliu.logistics.hooks import home_pickups_open
from siliu.logistics.models import PostagePayment
from siliu.logistics.parcels.selectors import masked_phone
from siliu.logistics.parcels.services import Address
from siliu.logistics.pricing.quotes import MAX_WEIGHT_G, QuoteRequest, parcel_quote
from siliu.logistics.station.selectors import (
    handover_candidates,
    parcels_accepted_today,
    parcels_to_return,
    parcels_waiting,
    pickup_return_days,
    station_get,
    stations_of,
)
from siliu.logistics.station.services import (
    COLLECTOR_NAME_MAX_LENGTH,
    station_handover,
    station_parcel_accept,
)
from siliu.logistics.station.slips import pickup_slip_pdf
from siliu.network.destinations import DestinationFormMixin
from siliu.network.models import Outlet

TABS = ("waiting", "return", "accepted")


def _operates_station(user: Actor) -> bool:
    return user_can(user, Permission.STATION_OPERATE)


def _station(request: HttpRequest) -> Outlet:
    try:
        return station_get(
            actor=request.user, code=request.GET.get("station") or request.POST.get("station", "")
        )
    except DomainError as error:
        raise Http404(error.message) from None


def _with_station(name: str, station: Outlet, **query: str) -> str:
    return f"{reverse(name)}?{urlencode({'station': station.code, **query})}"


def _small(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        elif not isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            widget.attrs["class"] = "form-control"


@user_passes_test(_operates_station)
def station_page(request: HttpRequest) -> HttpResponse:
    """本站邮件: waiting for pickup, to return, accepted today — at one station of the user's."""
    station = _station(request)
    now = timezone.now()
    tab = request.GET.get("tab", "waiting")
    if tab not in TABS:
        tab = "waiting"
    lists = {
        "waiting": parcels_waiting(station=station),
        "return": parcels_to_return(station=station, now=now),
        "accepted": parcels_accepted_today(station=station, now=now),
    }
    parcels = list(lists[tab][:200])
    return render(
        request,
        "logistics/station/station.html",
        {
            "station": station,
            "stations": stations_of(actor=request.user),
            "tab": tab,
            "counts": {name: query.count() for name, query in lists.items()},
            "rows": [(parcel, masked_phone(parcel.recipient_phone)) for parcel in parcels],
            "return_days": pickup_return_days(),
        },
    )


@user_passes_test(_operates_station)
def pickup_slip_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    """The pickup slip of a parcel waiting at one of the user's stations (58 mm PDF)."""
    station = _station(request)
    parcel = parcels_waiting(station=station).filter(tracking_number=number.strip().upper()).first()
    if parcel is None:
        raise Http404(_("本站没有这件待取邮件"))
    response = HttpResponse(pickup_slip_pdf(parcel=parcel, station=station), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{parcel.tracking_number}-pickup.pdf"'
    return response


class HandoverForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("取件码（6 位）"), max_length=6, required=False)
    phone = forms.CharField(label=gettext_lazy("或：收件人手机号"), max_length=20, required=False)
    collector_name = forms.CharField(label=gettext_lazy("取件人姓名"), max_length=COLLECTOR_NAME_MAX_LENGTH)
    tracking_number = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _small(self)
        self.fields["code"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")


@user_passes_test(_operates_station)
def handover_page(request: HttpRequest) -> HttpResponse:
    """取件: a code, or a phone and then one of its parcels, plus who collects; the delivery scan."""
    station = _station(request)
    form = HandoverForm(request.POST or None)
    candidates: list[tuple[str, str, str]] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            match = handover_candidates(station=station, code=data["code"], phone=data["phone"])
            if len(match.parcels) > 1 and not data["tracking_number"]:
                candidates = [
                    (parcel.tracking_number, parcel.recipient_name, parcel.sender_name)
                    for parcel in match.parcels
                ]
                raise ValidationFailed("choose_parcel", _("请选择要交付的邮件"), field="tracking_number")
            parcel = station_handover(
                station=station,
                collector_name=data["collector_name"],
                code=data["code"],
                phone=data["phone"],
                tracking_number=data["tracking_number"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(
                error.field if error.field in ("code", "phone", "collector_name") else None, error.message
            )
            status = 400
        else:
            messages.success(
                request,
                _("%(number)s 已交付 %(name)s")
                % {"number": parcel.tracking_number, "name": data["collector_name"]},
            )
            return redirect(_with_station("logistics:station-handover", station))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "logistics/station/handover.html",
        {
            "station": station,
            "stations": stations_of(actor=request.user),
            "form": form,
            "candidates": candidates,
        },
        status=status,
    )


class AcceptForm(DestinationFormMixin):
    weight_g = forms.IntegerField(label=gettext_lazy("称重（克）"), min_value=1, max_value=MAX_WEIGHT_G)
    sender_name = forms.CharField(label=gettext_lazy("寄件人"), max_length=60)
    sender_phone = forms.CharField(label=gettext_lazy("寄件人电话（+86…）"), max_length=20)
    sender_address = forms.CharField(label=gettext_lazy("寄件地址"), max_length=200)
    recipient_name = forms.CharField(label=gettext_lazy("收件人"), max_length=60)
    recipient_phone = forms.CharField(label=gettext_lazy("收件人电话（+86…）"), max_length=20)
    recipient_address = forms.CharField(label=gettext_lazy("收件地址"), max_length=200)
    postage_payment = forms.ChoiceField(
        label=gettext_lazy("付费方式"),
        choices=[
            (PostagePayment.CASH.value, gettext_lazy("现金（本站柜台）")),
            (PostagePayment.WALLET.value, gettext_lazy("村民钱包")),
        ],
        initial=PostagePayment.CASH.value,
    )
    wallet_username = forms.CharField(label=gettext_lazy("钱包用户名"), max_length=150, required=False)
    wallet_password = forms.CharField(
        label=gettext_lazy("钱包密码（村民本人输入）"),
        max_length=128,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    home_pickup = forms.ChoiceField(label=gettext_lazy("上门揽收单"), required=False)

    def __init__(self, *args: object, station: Outlet, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _small(self)
        self.fields["weight_g"].widget.attrs["inputmode"] = "numeric"
        # The station's home pickups still to collect: the parcel can close one of them.
        self.fields["home_pickup"].choices = [  # type: ignore[attr-defined]
            ("", _("（不是上门揽收）")),
            *home_pickups_open(station=station),
        ]


def _wallet_owner(request: HttpRequest, data: dict[str, str]) -> User:
    """The villager paying from their wallet, who types their own password at the counter."""
    user = authenticate(request, username=data["wallet_username"], password=data["wallet_password"])
    if not isinstance(user, User):
        raise ValidationFailed("wallet_login_failed", _("钱包用户名或密码不正确"), field="wallet_username")
    return user


@user_passes_test(_operates_station)
def accept_page(request: HttpRequest) -> HttpResponse:
    """揽收: weigh, quote, take cash or the villager's wallet, accept at the station, print the label; the
    parcel may close one of the station's home pickups (上门揽收单, ``?home_pickup=`` chooses it)."""
    station = _station(request)
    form = AcceptForm(
        request.POST or None, station=station, initial={"home_pickup": request.GET.get("home_pickup", "")}
    )
    quote = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        quote_request = QuoteRequest(
            product_code="express",
            origin_outlet_code=station.code,
            destination_outlet_code=data["destination"].outlet_code,
            destination_region_code=data["destination"].region_code,
            weight_g=data["weight_g"],
        )
        payment = PostagePayment(data["postage_payment"])
        try:
            quote = parcel_quote(request=quote_request)
            if "accept" in request.POST:
                parcel = station_parcel_accept(
                    station=station,
                    request=quote_request,
                    sender=Address(data["sender_name"], data["sender_phone"], data["sender_address"]),
                    recipient=Address(
                        data["recipient_name"], data["recipient_phone"], data["recipient_address"]
                    ),
                    postage_payment=payment,
                    sender_user=_wallet_owner(request, data) if payment == PostagePayment.WALLET else None,
                    home_pickup=data["home_pickup"],
                    actor=request.user,
                )
                return redirect(
                    _with_station("logistics:station-accept", station, accepted=parcel.tracking_number)
                )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = 400
    elif request.method == "POST":
        status = 400
    accepted = None
    if number := request.GET.get("accepted", ""):
        accepted = (
            parcels_accepted_today(station=station, now=timezone.now()).filter(tracking_number=number).first()
        )
    return render(
        request,
        "logistics/station/accept.html",
        {
            "station": station,
            "stations": stations_of(actor=request.user),
            "form": form,
            "quote": quote,
            "accepted": accepted,
            **form.picker_context(),
        },
        status=status,
    )
