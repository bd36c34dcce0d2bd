"""Catalogue API: products, seller registration and verification.

- ``GET /api/v1/products?search=&category=&township=&direction=`` (paginated), ``GET /api/v1/products/{id}``
- ``POST /api/v1/products`` (a verified seller lists a product)
- ``POST /api/v1/sellers`` (register yourself), ``POST /api/v1/sellers/{id}/verify`` (county manager)
"""

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.commerce.catalog.selectors import (
    outlet_get_for_code,
    product_get,
    product_list,
    product_of_seller_get,
    seller_for,
    seller_get,
    village_get,
)
from siliu.commerce.catalog.services import (
    MAX_PRICE_FEN,
    MAX_STOCK,
    MAX_UNIT_WEIGHT_G,
    product_create,
    product_photo_add,
    seller_register,
    seller_verify,
)
from siliu.commerce.models import (
    Category,
    Direction,
    Product,
    Seller,
    SellerKind,
    TraceBatch,
    trace_code_normalize,
)
from siliu.core.errors import NotFound, ValidationFailed
from siliu.core.permissions import Permission
from siliu.core.ratelimit import SELLER_REGISTRATION_THROTTLES
from siliu.core.rest import permission_required


class ProductListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, max_length=80, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True, help_text="品类代码")
    township = serializers.CharField(required=False, allow_blank=True, help_text="乡镇行政区划代码（9 位）")
    direction = serializers.CharField(required=False, allow_blank=True)


class TraceBatchSerializer(serializers.ModelSerializer):
    inspection_label = serializers.CharField(source="get_inspection_result_display")

    class Meta:
        model = TraceBatch
        fields = [
            "code",
            "product_name",
            "place",
            "harvested_on",
            "quantity",
            "unit",
            "inspection_result",
            "inspection_label",
            "certificates",
        ]


class ProductSerializer(serializers.ModelSerializer):
    """A product as buyers see it: the seller by name, kind and village — never their phone or ID."""

    category_label = serializers.CharField(source="get_category_display")
    seller_id = serializers.IntegerField(source="seller.pk")
    seller_name = serializers.CharField(source="seller.name")
    seller_kind = serializers.CharField(source="seller.kind")
    origin_village = serializers.CharField(source="origin_village.name", allow_null=True, default=None)
    origin_township = serializers.CharField(
        source="origin_village.parent.name", allow_null=True, default=None
    )
    trace_code = serializers.CharField(source="trace_batch.code", allow_null=True, default=None)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "category",
            "category_label",
            "direction",
            "unit",
            "price_fen",
            "stock",
            "weight_g",
            "seller_id",
            "seller_name",
            "seller_kind",
            "origin_village",
            "origin_township",
            "is_presale",
            "ships_from",
            "trace_code",
        ]


class ProductDetailSerializer(ProductSerializer):
    trace_batch = TraceBatchSerializer(allow_null=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "description", "photos", "trace_batch"]


class ProductCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    category = serializers.ChoiceField(choices=Category.choices)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.UPWARD)
    unit = serializers.CharField(max_length=10)
    price_fen = serializers.IntegerField(min_value=1, max_value=MAX_PRICE_FEN, help_text="单价（分）")
    stock = serializers.IntegerField(min_value=1, max_value=MAX_STOCK)
    weight_g = serializers.IntegerField(
        min_value=1, max_value=MAX_UNIT_WEIGHT_G, help_text="每单位重量（克）"
    )
    origin_village = serializers.CharField(required=False, help_text="村行政区划代码（12 位）")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.CharField(max_length=300), required=False, default=list)
    trace_code = serializers.CharField(required=False, help_text="本卖家的溯源批次码")
    is_presale = serializers.BooleanField(default=False)
    ships_from = serializers.DateField(required=False, allow_null=True, default=None)


class SellerRegisterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SellerKind.choices)
    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=30, help_text="统一社会信用代码；个体农户填居民身份证号码")
    village = serializers.CharField(help_text="村行政区划代码（12 位）")
    home_outlet = serializers.CharField(help_text="发货网点编码")
    contact_phone = serializers.CharField(max_length=20)


class SellerSerializer(serializers.ModelSerializer):
    """A seller as they themselves and the county manager see it: the ID number masked."""

    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    village = serializers.CharField(source="village.code")
    home_outlet = serializers.CharField(source="home_outlet.code")

    class Meta:
        model = Seller
        fields = [
            "id",
            "kind",
            "kind_label",
            "name",
            "id_number_masked",
            "village",
            "home_outlet",
            "status",
            "status_label",
            "verified_at",
            "created_at",
        ]


class SellerVerifySerializer(serializers.Serializer):
    approve = serializers.BooleanField()


class ProductListView(generics.ListCreateAPIView):
    """Products on sale from verified sellers (GET, public); list a product (POST, verified seller)."""

    serializer_class = ProductSerializer

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(parameters=[ProductListQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = ProductListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return product_list(**{key: value or None for key, value in query.validated_data.items()})

    @extend_schema(request=ProductCreateSerializer, responses={201: ProductDetailSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ProductCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        assert isinstance(request.user, User)
        seller = seller_for(actor=request.user)
        if seller is None:
            raise NotFound("not_a_seller", _("请先登记为卖家"), field="seller")
        village_code = fields.pop("origin_village", None)
        trace_code = fields.pop("trace_code", None)
        trace_batch = None
        if trace_code:
            trace_batch = TraceBatch.objects.filter(
                code=trace_code_normalize(trace_code), seller=seller
            ).first()
            if trace_batch is None:
                raise ValidationFailed("unknown_trace_code", _("没有这个溯源批次"), field="trace_code")
        product = product_create(
            seller=seller,
            actor=request.user,
            origin_village=village_get(code=village_code, field="origin_village") if village_code else None,
            trace_batch=trace_batch,
            now=timezone.now(),
            **fields,
        )
        return Response(ProductDetailSerializer(product).data, status=status.HTTP_201_CREATED)


class ProductDetailView(generics.GenericAPIView):
    """One product on sale, with its trace batch."""

    serializer_class = ProductDetailSerializer
    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("product_id", int, OpenApiParameter.PATH)])
    def get(self, request: Request, product_id: int) -> Response:
        return Response(self.get_serializer(product_get(product_id=product_id)).data)


class SellerRegisterView(APIView):
    """Register the logged-in user as a seller (pending the county manager's verification).

    An ID number registered by another seller is refused (409 ``duplicate_id_number``), which tells the
    caller that the person is a seller; so every attempt, whatever its outcome, counts against a strict
    allowance per user (``SILIU_SELLER_REGISTRATION_RATE``) and per address
    (``SILIU_SELLER_REGISTRATION_IP_RATE``), checked before the number is looked at.
    """

    permission_classes = [IsAuthenticated]
    throttle_classes = list(SELLER_REGISTRATION_THROTTLES)

    @extend_schema(request=SellerRegisterSerializer, responses={201: SellerSerializer})
    def post(self, request: Request) -> Response:
        data = SellerRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        assert isinstance(request.user, User)
        seller = seller_register(
            user=request.user,
            kind=fields["kind"],
            name=fields["name"],
            id_number=fields["id_number"],
            village=village_get(code=fields["village"], field="village"),
            home_outlet=outlet_get_for_code(code=fields["home_outlet"], field="home_outlet"),
            contact_phone=fields["contact_phone"],
            now=timezone.now(),
        )
        return Response(SellerSerializer(seller).data, status=status.HTTP_201_CREATED)


class SellerVerifyView(APIView):
    """Approve (``{"approve": true}``) or suspend (``false``) a seller: county managers only."""

    permission_classes = [permission_required(Permission.SELLER_VERIFY)]

    @extend_schema(request=SellerVerifySerializer, responses={200: SellerSerializer})
    def post(self, request: Request, seller_id: int) -> Response:
        data = SellerVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        seller = seller_verify(
            seller=seller_get(seller_id=seller_id),
            actor=request.user,
            approve=data.validated_data["approve"],
            now=timezone.now(),
        )
        return Response(SellerSerializer(seller).data)


class ProductPhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text="JPEG、PNG、WebP 或 GIF，最大 5 MB")


class ProductPhotoView(APIView):
    """Add a photo to a product (multipart, field ``photo``), for its seller or who acts for sellers at
    its home outlet: checked to be a picture, re-encoded as JPEG with a 400 px thumbnail. 400
    ``not_an_image`` / ``photo_too_large`` / ``too_many_photos`` (field ``photo``); 404 for a product the
    caller may not manage."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ProductPhotoUploadSerializer},
        responses={201: ProductDetailSerializer},
    )
    def post(self, request: Request, product_id: int) -> Response:
        product = product_of_seller_get(product_id=product_id, actor=request.user)
        data = ProductPhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["photo"]
        product = product_photo_add(product=product, actor=request.user, upload=upload, size=upload.size or 0)
        return Response(ProductDetailSerializer(product).data, status=status.HTTP_201_CREATED)
