"""Parcel pages: sending a parcel, a parcel, the public tracking page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.core.errors import DomainError, NotFound, PermissionRefused
from siliu.core.money import parse_yuan
from siliu.core.permissions import Permission, user_can
from siliu.core.ratelimit import page_wait, too_many_requests
from siliu.core.roles import acting_user
from siliu.logistics.models import PostagePayment, Product
from siliu.logistics.parcels.selectors import (
    masked_phone,
    parcel_get,
    parcel_handled_by,
    parcel_journey,
    pickup_code_for_recipient,
)
from siliu.logistics.parcels.services import Address, parcel_create
from siliu.logistics.pricing.quotes import MAX_WEIGHT_G, QuoteRequest, parcel_quote
from siliu.network.destinations import DestinationFormMixin
from siliu.network.models import Outlet
from siliu.network.selectors import outlet_choices


class ParcelForm(DestinationFormMixin):
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True), to_field_name="code", label=gettext_lazy("产品")
    )
    #: Chosen by name; the value sent is the outlet's code.
    origin_outlet = forms.ChoiceField(label=gettext_lazy("交寄网点"))
    weight_g = forms.IntegerField(label=gettext_lazy("重量（克）"), min_value=1, max_value=MAX_WEIGHT_G)
    declared_value = forms.CharField(label=gettext_lazy("声明价值（元）"), initial="0", max_length=20)
    is_insured = forms.BooleanField(label=gettext_lazy("保价"), required=False)
    cod_amount = forms.CharField(label=gettext_lazy("代收货款（元）"), initial="0", max_length=20)
    sender_name = forms.CharField(label=gettext_lazy("寄件人"), max_length=60)
    sender_phone = forms.CharField(label=gettext_lazy("寄件人电话（+86…）"), max_length=20)
    sender_address = forms.CharField(label=gettext_lazy("寄件地址"), max_length=200)
    recipient_name = forms.CharField(label=gettext_lazy("收件人"), max_length=60)
    recipient_phone = forms.CharField(label=gettext_lazy("收件人电话（+86…）"), max_length=20)
    recipient_address = forms.CharField(label=gettext_lazy("收件地址"), max_length=200)
    postage_payment = forms.ChoiceField(
        label=gettext_lazy("付费方式"),
        choices=[
            (PostagePayment.WALLET.value, PostagePayment.WALLET.label),
            (PostagePayment.CASH.value, PostagePayment.CASH.label),
        ],
    )

    def _yuan(self, name: str) -> int:
        try:
            fen = parse_yuan(self.cleaned_data.get(name) or "0", field=name)
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
        if fen < 0:
            raise forms.ValidationError(_("金额不能为负"))
        return fen

    def clean_declared_value(self) -> int:
        return self._yuan("declared_value")

    def clean_cod_amount(self) -> int:
        return self._yuan("cod_amount")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["product"].initial = "express"
        origin = self.fields["origin_outlet"]
        assert isinstance(origin, forms.ChoiceField)
        origin.choices = [("", _("请选择网点")), *outlet_choices()]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"


@login_required
def parcel_new_page(request: HttpRequest) -> HttpResponse:
    """Quote and send a parcel: at a counter (cash) or from one's own wallet."""
    operated = Outlet.objects.filter(operator_id=request.user.pk).values_list("code", flat=True).first()
    form = ParcelForm(request.POST or None, initial={"origin_outlet": operated or ""})
    quote = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        request_data = QuoteRequest(
            product_code=data["product"].code,
            origin_outlet_code=data["origin_outlet"],
            destination_outlet_code=data["destination"].outlet_code,
            destination_region_code=data["destination"].region_code,
            weight_g=data["weight_g"],
            declared_value_fen=data["declared_value"],
            is_insured=data["is_insured"],
            cod_amount_fen=data["cod_amount"],
        )
        payment = PostagePayment(data["postage_payment"])
        try:
            if payment == PostagePayment.CASH and not user_can(request.user, Permission.PARCEL_ACCEPT_CASH):
                raise PermissionRefused(
                    "cash_needs_counter", _("现金付费只能在网点柜台由工作人员办理"), field="postage_payment"
                )
            if "send" not in request.POST:
                quote = parcel_quote(request=request_data)
            else:
                parcel = parcel_create(
                    request=request_data,
                    sender=Address(data["sender_name"], data["sender_phone"], data["sender_address"]),
                    recipient=Address(
                        data["recipient_name"], data["recipient_phone"], data["recipient_address"]
                    ),
                    postage_payment=payment,
                    sender_user=acting_user(request.user) if payment == PostagePayment.WALLET else None,
                    actor=request.user,
                )
                messages.success(request, _("已下单：%(number)s") % {"number": parcel.tracking_number})
                return redirect("logistics:parcel-detail", number=parcel.tracking_number)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "logistics/parcels/new.html",
        {"form": form, "quote": quote, **form.picker_context()},
        status=status,
    )


@login_required
def parcel_detail_page(request: HttpRequest, number: str) -> HttpResponse:
    try:
        parcel = parcel_get(number=number, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(
        request,
        "logistics/parcels/detail.html",
        {
            "parcel": parcel,
            "journey": parcel_journey(number=parcel.tracking_number),
            "sender_phone": masked_phone(parcel.sender_phone),
            "recipient_phone": masked_phone(parcel.recipient_phone),
            "handles_parcels": parcel_handled_by(parcel, request.user),
        },
    )


def track_page(request: HttpRequest, number: str = "") -> HttpResponse:
    """The public tracking page: anyone with the number sees places and times, nothing personal."""
    number = (request.GET.get("number") or number).strip()
    wait = page_wait(request)
    if wait is not None:
        return too_many_requests(
            request, wait, template="logistics/parcels/track.html", context={"number": number}
        )
    if not number:
        return render(request, "logistics/parcels/track.html", {"number": ""})
    try:
        journey = parcel_journey(number=number)
    except NotFound as error:
        return render(
            request, "logistics/parcels/track.html", {"number": number, "error": error.message}, status=404
        )
    return render(
        request,
        "logistics/parcels/track.html",
        {
            "number": journey.tracking_number,
            "journey": journey,
            "pickup_code": pickup_code_for_recipient(number=journey.tracking_number, actor=request.user),
        },
    )
