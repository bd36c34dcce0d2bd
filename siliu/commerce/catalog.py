"""Sellers, trace batches and products: the catalogue side of the commerce flow (services and selectors).

Writes are ``@transaction.atomic`` and refuse bad input with a :class:`~siliu.core.errors.DomainError`
before anything is written. Public reads (:func:`trace_batch_public`, :func:`trace_parcel_journey`) return
plain dataclasses that carry no personal data: no ID number, no phone, no recipient.
"""

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from siliu.commerce import identity
from siliu.commerce.models import (
    Category,
    Direction,
    InspectionResult,
    OrderLine,
    Product,
    Seller,
    SellerKind,
    SellerStatus,
    Shipment,
    TraceBatch,
)
from siliu.core import ids
from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.roles import (
    Actor,
    Role,
    acting_user,
    user_has_role,
    user_is_staff_or_has_role,
    user_role_grant,
)
from siliu.logistics.selectors import PublicJourney, parcel_journey
from siliu.network.models import Outlet, Region, RegionLevel
from siliu.network.selectors import township_get

#: Trace code alphabet: digits and capitals without the look-alikes 0/O, 1/I/L (31 symbols).
TRACE_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: 31 ** 10 ≈ 8 × 10**14 codes: not guessable at the public rate limit.
TRACE_CODE_LENGTH = 10
_TRACE_CODE_ATTEMPTS = 5
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")

#: Product fields :func:`product_update` may change.
PRODUCT_UPDATABLE_FIELDS = frozenset(
    {
        "name",
        "category",
        "direction",
        "unit",
        "price_fen",
        "stock",
        "weight_g",
        "origin_village",
        "description",
        "photos",
        "trace_batch",
        "is_presale",
        "ships_from",
        "is_active",
    }
)


def _is_county_staff(actor: Actor) -> bool:
    return user_is_staff_or_has_role(actor, Role.COUNTY_MANAGER)


def _required_text(value: str, *, field: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("required", _("此项必填"), field=field)
    if len(text) > max_length:
        raise ValidationFailed("too_long", _("最多 %(n)d 个字符") % {"n": max_length}, field=field)
    return text


# --- Sellers -------------------------------------------------------------------------------------


@transaction.atomic
def seller_register(
    *,
    user: User,
    kind: str,
    name: str,
    id_number: str,
    village: Region,
    home_outlet: Outlet,
    contact_phone: str,
    now: datetime.datetime,
) -> Seller:
    """Register ``user`` as a seller awaiting the county manager's verification; give them the seller role.

    The ID number is checked for the kind (social credit code, or resident ID for an individual
    farmer), stored encrypted, masked for display and hashed for lookup.

    Raises
    ------
    ValidationFailed
        ``invalid_kind`` (``kind``), ``required``/``too_long`` (``name``), ``invalid_id_number``
        (``id_number``), ``not_a_village`` (``village``), ``outlet_inactive`` (``home_outlet``),
        ``invalid_phone`` (``contact_phone``).
    Conflict
        ``already_seller`` when the user already is one; ``duplicate_id_number`` (``id_number``) when
        another seller has registered the number.
    """
    if kind not in SellerKind.values:
        raise ValidationFailed(
            "invalid_kind",
            _("类型应为 %(kinds)s 之一") % {"kinds": ", ".join(SellerKind.values)},
            field="kind",
        )
    name = _required_text(name, field="name", max_length=100)
    number = identity.id_number_validate(kind=kind, id_number=id_number)
    if village.level != RegionLevel.VILLAGE:
        raise ValidationFailed("not_a_village", _("所在地应为村级区划"), field="village")
    if not home_outlet.is_active:
        raise ValidationFailed("outlet_inactive", _("该网点已停止营业"), field="home_outlet")
    phone = (contact_phone or "").replace(" ", "").replace("-", "")
    if not _PHONE.match(phone):
        raise ValidationFailed("invalid_phone", _("联系电话格式不正确"), field="contact_phone")
    if Seller.objects.filter(user=user).exists():
        raise Conflict("already_seller", _("该用户已登记为卖家"), field="user")
    number_hash = identity.id_number_hash(number)
    duplicate = Conflict("duplicate_id_number", _("该证件号已被其他卖家登记"), field="id_number")
    if Seller.objects.filter(id_number_hash=number_hash).exists():
        raise duplicate
    try:
        with transaction.atomic():
            seller = Seller.objects.create(
                user=user,
                kind=kind,
                name=name,
                village=village,
                home_outlet=home_outlet,
                id_number_encrypted=identity.id_number_encrypt(number),
                id_number_hash=number_hash,
                id_number_masked=identity.id_number_mask(number),
                contact_phone=phone,
                created_at=now,
            )
    except IntegrityError:
        # A concurrent registration of the same number or user won the race.
        raise duplicate from None
    user_role_grant(user=user, role=Role.SELLER)
    return seller


@transaction.atomic
def seller_verify(*, seller: Seller, actor: Actor, approve: bool, now: datetime.datetime) -> Seller:
    """Approve a seller (it may then sell) or suspend it; county managers and staff only.

    Raises
    ------
    PermissionRefused
        ``not_county_manager`` for anyone else.
    Conflict
        ``already_verified`` / ``already_suspended`` when the seller is already in that state.
    """
    if not _is_county_staff(actor):
        raise PermissionRefused("not_county_manager", _("只有县级管理员可以审核卖家"))
    locked = Seller.objects.select_for_update().get(pk=seller.pk)
    target = SellerStatus.VERIFIED if approve else SellerStatus.SUSPENDED
    if locked.status == target:
        code = "already_verified" if approve else "already_suspended"
        raise Conflict(code, _("卖家已是“%(status)s”状态") % {"status": target.label})
    locked.status = target
    locked.verified_by = acting_user(actor) if approve else None
    locked.verified_at = now if approve else None
    locked.save(update_fields=["status", "verified_by", "verified_at"])
    return locked


def seller_find_by_id_number(*, id_number: str, kind: str, actor: Actor) -> Seller | None:
    """The seller registered with ``id_number`` (found by its keyed hash), or ``None``.

    Raises
    ------
    PermissionRefused
        ``not_county_manager`` unless the actor is a county manager, auditor or staff.
    ValidationFailed
        ``invalid_id_number`` when the number is not valid for ``kind``.
    """
    if not user_is_staff_or_has_role(actor, Role.COUNTY_MANAGER, Role.AUDITOR):
        raise PermissionRefused("not_county_manager", _("只有县级管理员可以按证件号查找卖家"))
    number = identity.id_number_validate(kind=kind, id_number=id_number)
    return Seller.objects.filter(id_number_hash=identity.id_number_hash(number)).first()


def seller_id_number_reveal(*, seller: Seller, actor: Actor) -> str:
    """The seller's full ID number, for the seller themselves and auditors.

    Raises
    ------
    PermissionRefused
        ``not_owner`` for anyone else (everyone else sees ``seller.id_number_masked``).
    """
    if not actor.is_authenticated or not (actor.pk == seller.user_id or user_has_role(actor, Role.AUDITOR)):
        raise PermissionRefused("not_owner", _("只有本人和审计员可以查看完整证件号"))
    return identity.id_number_decrypt(seller.id_number_encrypted)


def seller_list_for_review(*, status: str | None = SellerStatus.PENDING) -> QuerySet[Seller]:
    """Sellers for the county manager's verification list, oldest registration first."""
    sellers = Seller.objects.select_related("user", "village", "village__parent", "home_outlet")
    if status:
        sellers = sellers.filter(status=status)
    return sellers.order_by("created_at", "pk")


def seller_get(*, seller_id: int) -> Seller:
    """Raises ``NotFound`` (``unknown_seller``) when there is no such seller."""
    seller = Seller.objects.select_related("village", "village__parent").filter(pk=seller_id).first()
    if seller is None:
        raise NotFound("unknown_seller", _("没有这个卖家"), field="seller")
    return seller


def village_get(*, code: str, field: str = "village") -> Region:
    """The village with administrative code ``code``.

    Raises
    ------
    ValidationFailed
        ``unknown_village`` (on ``field``) when no village has that code.
    """
    village = Region.objects.filter(code=(code or "").strip(), level=RegionLevel.VILLAGE).first()
    if village is None:
        raise ValidationFailed("unknown_village", _("没有代码为 %(code)s 的村") % {"code": code}, field=field)
    return village


def outlet_get_for_code(*, code: str, field: str = "home_outlet") -> Outlet:
    """The outlet with ``code``, as named in a form or request body.

    Raises
    ------
    ValidationFailed
        ``unknown_outlet`` (on ``field``): a bad code in a body is bad input, not a missing page.
    """
    outlet = Outlet.objects.filter(code=(code or "").strip()).first()
    if outlet is None:
        raise ValidationFailed(
            "unknown_outlet", _("没有编码为 %(code)s 的网点") % {"code": code}, field=field
        )
    return outlet


def _check_acts_for(seller: Seller, actor: Actor) -> None:
    if not actor.is_authenticated or not (actor.pk == seller.user_id or _is_county_staff(actor)):
        raise PermissionRefused("not_seller", _("只有卖家本人或县级管理员可以操作"))


# --- Trace batches -------------------------------------------------------------------------------


def trace_code_new() -> str:
    """A fresh random trace code (not checked for uniqueness)."""
    return "".join(ids.choice(TRACE_CODE_ALPHABET) for _ in range(TRACE_CODE_LENGTH))


def trace_code_normalize(code: str) -> str:
    return (code or "").strip().upper()


@transaction.atomic
def trace_batch_create(
    *,
    seller: Seller,
    actor: Actor,
    product_name: str,
    place: str,
    harvested_on: datetime.date,
    quantity: int,
    unit: str,
    inspection_result: str = InspectionResult.PENDING,
    inspection_note: str = "",
    certificates: Sequence[str] = (),
    now: datetime.datetime,
) -> TraceBatch:
    """Record a harvest or production batch and give it a unique, unguessable trace code.

    Raises
    ------
    PermissionRefused
        ``not_seller`` unless the actor is the seller or a county manager.
    Conflict
        ``seller_suspended`` for a suspended seller.
    ValidationFailed
        ``required``/``too_long`` (``product_name``, ``place``, ``unit``), ``invalid_quantity``,
        ``future_harvest`` (``harvested_on`` after today), ``invalid_inspection_result``.
    """
    _check_acts_for(seller, actor)
    if seller.status == SellerStatus.SUSPENDED:
        raise Conflict("seller_suspended", _("卖家已被暂停"))
    product_name = _required_text(product_name, field="product_name", max_length=60)
    place = _required_text(place, field="place", max_length=100)
    unit = _required_text(unit, field="unit", max_length=10)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed("invalid_quantity", _("数量必须是正整数"), field="quantity")
    if inspection_result not in InspectionResult.values:
        raise ValidationFailed("invalid_inspection_result", _("检测结果不正确"), field="inspection_result")
    if harvested_on > now.date():
        # Pre-sale batches are recorded once picked; the product carries the promised date meanwhile.
        raise ValidationFailed("future_harvest", _("采收日期不能晚于今天"), field="harvested_on")
    for _attempt in range(_TRACE_CODE_ATTEMPTS):
        code = trace_code_new()
        if TraceBatch.objects.filter(code=code).exists():
            continue
        try:
            with transaction.atomic():
                return TraceBatch.objects.create(
                    seller=seller,
                    code=code,
                    product_name=product_name,
                    place=place,
                    harvested_on=harvested_on,
                    quantity=quantity,
                    unit=unit,
                    inspection_result=inspection_result,
                    inspection_note=(inspection_note or "").strip()[:200],
                    certificates=[str(c) for c in certificates],
                    created_at=now,
                )
        except IntegrityError:
            continue  # the same code was taken concurrently: draw again
    raise Conflict("trace_code_exhausted", _("未能生成唯一的溯源码，请重试"))


def trace_url(batch: TraceBatch) -> str:
    """The path printed in the QR code (relative: the site's host is added by the page or label)."""
    return f"/t/{batch.code}"


def trace_qr_svg(*, batch: TraceBatch, base_url: str = "", size_px: int = 200) -> str:
    """An SVG image of the QR code pointing at the batch's public trace page."""
    from reportlab.graphics import renderSVG
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(base_url.rstrip("/") + trace_url(batch))
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size_px, size_px, transform=[size_px / (x1 - x0), 0, 0, size_px / (y1 - y0), 0, 0])
    drawing.add(widget)
    return str(renderSVG.drawToString(drawing))


@dataclass(frozen=True)
class PublicTrace:
    """What anyone holding the trace code may see: farm, place, batch. Nothing personal."""

    code: str
    product_name: str
    seller_name: str
    seller_kind: str
    seller_kind_label: str
    seller_verified: bool
    village: str
    township: str
    county: str
    place: str
    harvested_on: datetime.date
    quantity: int
    unit: str
    inspection_result: str
    inspection_label: str
    inspection_note: str
    certificates: list[str]
    products: list[str]


def trace_batch_get(*, code: str) -> TraceBatch:
    """Raises ``NotFound`` (``unknown_trace_code``, field ``code``) for an unknown code."""
    batch = (
        TraceBatch.objects.select_related("seller__village__parent__parent")  # down to the county
        .filter(code=trace_code_normalize(code))
        .first()
    )
    if batch is None:
        raise NotFound("unknown_trace_code", _("没有溯源码为 %(code)s 的批次") % {"code": code}, field="code")
    return batch


def trace_batch_public(*, code: str) -> PublicTrace:
    """The public view of a trace batch.

    Raises
    ------
    NotFound
        ``unknown_trace_code`` when no batch has the code.
    """
    batch = trace_batch_get(code=code)
    seller = batch.seller
    village = seller.village
    township = village.parent
    county = township.parent if township else None
    return PublicTrace(
        code=batch.code,
        product_name=batch.product_name,
        seller_name=seller.name,
        seller_kind=seller.kind,
        seller_kind_label=str(SellerKind(seller.kind).label),
        seller_verified=seller.status == SellerStatus.VERIFIED,
        village=village.name,
        township=township.name if township else "",
        county=county.name if county else "",
        place=batch.place,
        harvested_on=batch.harvested_on,
        quantity=batch.quantity,
        unit=batch.unit,
        inspection_result=batch.inspection_result,
        inspection_label=str(InspectionResult(batch.inspection_result).label),
        inspection_note=batch.inspection_note,
        certificates=[str(c) for c in batch.certificates],
        products=list(batch.products.filter(is_active=True).order_by("name").values_list("name", flat=True)),
    )


def trace_parcel_journey(*, code: str, tracking_number: str) -> PublicJourney | None:
    """The public journey of parcel ``tracking_number`` if it carries a product of batch ``code``.

    ``None`` when the parcel is unknown or carries nothing of that batch: the two are not told apart,
    so the page cannot be used to probe tracking numbers.
    """
    number = (tracking_number or "").strip().upper()
    shipment = (
        Shipment.objects.filter(parcel__tracking_number=number).values_list("order_id", "seller_id").first()
    )
    if shipment is None:
        return None
    order_id, seller_id = shipment
    carries_batch = OrderLine.objects.filter(
        order_id=order_id, seller_id=seller_id, product__trace_batch__code=trace_code_normalize(code)
    ).exists()
    if not carries_batch:
        return None
    return parcel_journey(number=number)


# --- Products ------------------------------------------------------------------------------------


def _positive_int(value: Any, *, field: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or (value == 0 and not allow_zero):
        message = _("必须是非负整数") if allow_zero else _("必须是正整数")
        raise ValidationFailed(f"invalid_{field}", message, field=field)
    return value


def _product_check(product: Product, *, creating: bool) -> None:
    """Every rule a product must meet, checked on the whole product before it is saved."""
    product.name = _required_text(product.name, field="name", max_length=80)
    product.unit = _required_text(product.unit, field="unit", max_length=10)
    if product.category not in Category.values:
        raise ValidationFailed(
            "invalid_category",
            _("品类应为 %(values)s 之一") % {"values": ", ".join(Category.values)},
            field="category",
        )
    if product.direction not in Direction.values:
        raise ValidationFailed(
            "invalid_direction",
            _("方向应为 %(values)s 之一") % {"values": ", ".join(Direction.values)},
            field="direction",
        )
    _positive_int(product.price_fen, field="price_fen")
    _positive_int(product.weight_g, field="weight_g")
    _positive_int(product.stock, field="stock", allow_zero=not creating)
    if product.origin_village is not None and product.origin_village.level != RegionLevel.VILLAGE:
        raise ValidationFailed("not_a_village", _("产地应为村级区划"), field="origin_village")
    if product.trace_batch is not None and product.trace_batch.seller_id != product.seller_id:
        raise ValidationFailed("foreign_trace_batch", _("溯源批次不属于该卖家"), field="trace_batch")
    if product.is_presale and product.ships_from is None:
        raise ValidationFailed("presale_needs_date", _("预售商品须填写发货日期"), field="ships_from")
    if not isinstance(product.photos, list) or not all(isinstance(p, str) for p in product.photos):
        raise ValidationFailed("invalid_photos", _("图片应为地址列表"), field="photos")


def _check_may_sell(seller: Seller, actor: Actor) -> None:
    _check_acts_for(seller, actor)
    if seller.status != SellerStatus.VERIFIED:
        raise PermissionRefused("seller_not_verified", _("卖家须经县级管理员审核后才能上架商品"))


@transaction.atomic
def product_create(
    *,
    seller: Seller,
    actor: Actor,
    name: str,
    category: str,
    direction: str,
    unit: str,
    price_fen: int,
    stock: int,
    weight_g: int,
    origin_village: Region | None = None,
    description: str = "",
    photos: Sequence[str] = (),
    trace_batch: TraceBatch | None = None,
    is_presale: bool = False,
    ships_from: datetime.date | None = None,
    now: datetime.datetime,
) -> Product:
    """List a product for a verified seller.

    ``origin_village`` defaults to the seller's village for upward produce.

    Raises
    ------
    PermissionRefused
        ``not_seller`` unless the actor is the seller or a county manager; ``seller_not_verified`` until
        the seller is verified.
    ValidationFailed
        ``invalid_category``, ``invalid_direction``, ``invalid_price_fen``, ``invalid_stock``,
        ``invalid_weight_g`` (each positive), ``presale_needs_date`` (``ships_from``), ``not_a_village``,
        ``foreign_trace_batch``, ``required``/``too_long``.
    """
    _check_may_sell(seller, actor)
    if origin_village is None and direction == Direction.UPWARD:
        origin_village = seller.village
    product = Product(
        seller=seller,
        name=name,
        category=category,
        direction=direction,
        unit=unit,
        price_fen=price_fen,
        stock=stock,
        weight_g=weight_g,
        origin_village=origin_village,
        description=(description or "").strip(),
        photos=list(photos),
        trace_batch=trace_batch,
        is_presale=is_presale,
        ships_from=ships_from,
        created_at=now,
    )
    _product_check(product, creating=True)
    product.save()
    return product


@transaction.atomic
def product_update(*, product: Product, actor: Actor, changes: Mapping[str, Any]) -> Product:
    """Change some of a product's fields (see :data:`PRODUCT_UPDATABLE_FIELDS`); the whole product is
    checked again, and nothing is saved if any rule fails.

    Raises
    ------
    PermissionRefused
        as :func:`product_create`.
    ValidationFailed
        ``unknown_field`` for a field that cannot be changed here, and every refusal of
        :func:`product_create` (a stock of zero is allowed: sold out).
    """
    locked = Product.objects.select_for_update().select_related("seller").get(pk=product.pk)
    _check_may_sell(locked.seller, actor)
    for field in changes:
        if field not in PRODUCT_UPDATABLE_FIELDS:
            raise ValidationFailed("unknown_field", _("不能修改该字段"), field=field)
    for field, value in changes.items():
        setattr(locked, field, value)
    _product_check(locked, creating=False)
    locked.save(update_fields=sorted(changes))
    return locked


def product_list(
    *,
    search: str | None = None,
    category: str | None = None,
    township: str | None = None,
    direction: str | None = None,
) -> QuerySet[Product]:
    """Products on sale from verified sellers, filtered; by name.

    ``township`` is a 9-digit township code and matches the product's origin village or, when it
    has none, the seller's village. ``search`` matches the product's name and description, the
    seller's name and the village's name.

    Raises
    ------
    ValidationFailed
        ``invalid_category`` (``category``), ``invalid_direction`` (``direction``), ``unknown_township``
        (``township``).
    """
    products = Product.objects.filter(is_active=True, seller__status=SellerStatus.VERIFIED).select_related(
        "seller", "origin_village", "origin_village__parent", "trace_batch"
    )
    if category:
        if category not in Category.values:
            raise ValidationFailed(
                "invalid_category",
                _("品类应为 %(values)s 之一") % {"values": ", ".join(Category.values)},
                field="category",
            )
        products = products.filter(category=category)
    if direction:
        if direction not in Direction.values:
            raise ValidationFailed(
                "invalid_direction",
                _("方向应为 %(values)s 之一") % {"values": ", ".join(Direction.values)},
                field="direction",
            )
        products = products.filter(direction=direction)
    if township:
        region = township_get(code=township)
        products = products.filter(
            Q(origin_village__parent=region) | Q(origin_village__isnull=True, seller__village__parent=region)
        )
    if search and search.strip():
        text = search.strip()
        products = products.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(seller__name__icontains=text)
            | Q(origin_village__name__icontains=text)
        )
    return products.order_by("name", "pk")


def product_get(*, product_id: int) -> Product:
    """A product on sale, with its seller, origin and trace batch.

    Raises
    ------
    NotFound
        ``unknown_product`` when there is none, it is withdrawn, or its seller is not verified.
    """
    product = (
        product_list()
        .select_related("seller__village", "seller__village__parent")
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise NotFound("unknown_product", _("没有这个商品或已下架"), field="product")
    return product
