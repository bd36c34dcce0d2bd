"""Sellers and products, written: registration and verification of sellers, products created and changed.

Writes are ``@transaction.atomic`` and refuse bad input with a :class:`~siliu.core.errors.DomainError`
before anything is written.
"""

import datetime
import logging
import re
from collections.abc import Mapping, Sequence
from typing import IO, Any, Final

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siliu.commerce.catalog import identity
from siliu.commerce.models import (
    Category,
    Direction,
    Product,
    Seller,
    SellerKind,
    SellerStatus,
    TraceBatch,
)
from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.images import image_store
from siliu.core.permissions import Permission, user_can_at
from siliu.core.roles import (
    Actor,
    Role,
    acting_user,
    user_role_grant,
)
from siliu.logistics.pricing.quotes import MAX_WEIGHT_G
from siliu.network.models import Outlet, Region, RegionLevel

_PHONE = re.compile(r"^\+?[0-9]{7,15}$")

#: Attempts to register a number someone else holds, for the county to notice repeated probing.
security_log = logging.getLogger("siliu.security")
#: Highest unit price: ten million yuan. An order line is at most 10,000 units, so a line stays a
#: hundred times below :data:`~siliu.core.money.MAX_AMOUNT_FEN` (the ledger's bound on an amount).
MAX_PRICE_FEN: Final = 10**9
#: Largest stock one product may list: a million units (the column holds 2³¹ − 1).
MAX_STOCK: Final = 1_000_000
#: Heaviest unit of goods, in grams: :data:`~siliu.logistics.pricing.quotes.MAX_WEIGHT_G`, one tonne.
MAX_UNIT_WEIGHT_G: Final = MAX_WEIGHT_G

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


def required_text(value: str, *, field: str, max_length: int) -> str:
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
        another seller has registered the number. That answer says the number's holder is a seller, so
        the pages and the API limit registrations strictly per user and per address, and each such
        answer is logged (``siliu.security``, WARNING) with the user, never the number.
    """
    if kind not in SellerKind.values:
        raise ValidationFailed(
            "invalid_kind",
            _("类型应为 %(kinds)s 之一") % {"kinds": ", ".join(SellerKind.values)},
            field="kind",
        )
    name = required_text(name, field="name", max_length=100)
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
        security_log.warning("seller registration refused: ID number already registered (user %s)", user.pk)
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
        security_log.warning("seller registration refused: ID number already registered (user %s)", user.pk)
        raise duplicate from None
    user_role_grant(user=user, role=Role.SELLER)
    return seller


@transaction.atomic
def seller_verify(*, seller: Seller, actor: Actor, approve: bool, now: datetime.datetime) -> Seller:
    """Approve a seller (it may then sell) or suspend it: who holds ``seller.verify`` at the seller's
    home outlet (the county manager of its county).

    Raises
    ------
    PermissionRefused
        ``not_county_manager`` for anyone else.
    Conflict
        ``already_verified`` / ``already_suspended`` when the seller is already in that state.
    """
    if not user_can_at(actor, Permission.SELLER_VERIFY, seller.home_outlet):
        raise PermissionRefused("not_county_manager", _("只有本县的县级管理员可以审核卖家"))
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


def seller_check_acts_for(seller: Seller, actor: Actor) -> None:
    """Refuse anyone but the seller and those who act for sellers (``seller.act_for`` at the seller's
    home outlet)."""
    if not actor.is_authenticated or not (
        actor.pk == seller.user_id or user_can_at(actor, Permission.SELLER_ACT_FOR, seller.home_outlet)
    ):
        raise PermissionRefused("not_seller", _("只有卖家本人或县级管理员可以操作"))


# --- Products ------------------------------------------------------------------------------------


def _positive_int(value: Any, *, field: str, maximum: int, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or (value == 0 and not allow_zero):
        message = _("必须是非负整数") if allow_zero else _("必须是正整数")
        raise ValidationFailed(f"invalid_{field}", message, field=field)
    if value > maximum:
        raise ValidationFailed(f"invalid_{field}", _("不能大于 %(max)d") % {"max": maximum}, field=field)
    return value


def _product_check(product: Product, *, creating: bool) -> None:
    """Every rule a product must meet, checked on the whole product before it is saved."""
    product.name = required_text(product.name, field="name", max_length=80)
    product.unit = required_text(product.unit, field="unit", max_length=10)
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
    _positive_int(product.price_fen, field="price_fen", maximum=MAX_PRICE_FEN)
    _positive_int(product.weight_g, field="weight_g", maximum=MAX_UNIT_WEIGHT_G)
    _positive_int(product.stock, field="stock", maximum=MAX_STOCK, allow_zero=not creating)
    if product.origin_village is not None and product.origin_village.level != RegionLevel.VILLAGE:
        raise ValidationFailed("not_a_village", _("产地应为村级区划"), field="origin_village")
    if product.trace_batch is not None and product.trace_batch.seller_id != product.seller_id:
        raise ValidationFailed("foreign_trace_batch", _("溯源批次不属于该卖家"), field="trace_batch")
    if product.is_presale and product.ships_from is None:
        raise ValidationFailed("presale_needs_date", _("预售商品须填写发货日期"), field="ships_from")
    if not isinstance(product.photos, list) or not all(isinstance(p, str) for p in product.photos):
        raise ValidationFailed("invalid_photos", _("图片应为地址列表"), field="photos")


def _check_may_sell(seller: Seller, actor: Actor) -> None:
    seller_check_acts_for(seller, actor)
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
        ``invalid_weight_g`` (each positive, at most :data:`MAX_PRICE_FEN`, :data:`MAX_STOCK`,
        :data:`MAX_UNIT_WEIGHT_G`), ``presale_needs_date`` (``ships_from``), ``not_a_village``,
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


#: Most photos one product shows.
MAX_PHOTOS: Final = 6


@transaction.atomic
def product_photo_add(*, product: Product, actor: Actor, upload: IO[bytes], size: int) -> Product:
    """Add an uploaded photo to a product: checked to be an image, re-encoded, thumbnailed and stored
    under ``MEDIA_ROOT`` (:func:`siliu.core.images.image_store`).

    Raises
    ------
    PermissionRefused
        as :func:`product_create`.
    ValidationFailed
        ``too_many_photos`` (``photo``: already :data:`MAX_PHOTOS`), ``not_an_image``,
        ``photo_too_large`` (``photo``).
    """
    locked = Product.objects.select_for_update().select_related("seller").get(pk=product.pk)
    _check_may_sell(locked.seller, actor)
    if len(locked.photos) >= MAX_PHOTOS:
        raise ValidationFailed(
            "too_many_photos", _("每个商品最多 %(n)d 张图片") % {"n": MAX_PHOTOS}, field="photo"
        )
    url = image_store(upload=upload, size=size, folder=f"products/{locked.pk}")
    locked.photos = [*locked.photos, url]
    locked.save(update_fields=["photos"])
    return locked


#: What :func:`product_photo_arrange` does with a photo.
PHOTO_MOVES: Final = ("first", "remove")


@transaction.atomic
def product_photo_arrange(*, product: Product, actor: Actor, index: int, move: str) -> Product:
    """Make photo number ``index`` (from 0) the product's first, the one the shop shows, or remove
    it from the product (the stored file stays: an order's page may still show it).

    Raises
    ------
    PermissionRefused
        as :func:`product_create`.
    ValidationFailed
        ``invalid_move`` (``move``), ``no_such_photo`` (``photo``).
    """
    if move not in PHOTO_MOVES:
        raise ValidationFailed("invalid_move", _("未知的图片操作"), field="move")
    locked = Product.objects.select_for_update().select_related("seller").get(pk=product.pk)
    _check_may_sell(locked.seller, actor)
    if not 0 <= index < len(locked.photos):
        raise ValidationFailed("no_such_photo", _("没有这张图片"), field="photo")
    photos = list(locked.photos)
    photo = photos.pop(index)
    locked.photos = [photo, *photos] if move == "first" else photos
    locked.save(update_fields=["photos"])
    return locked
