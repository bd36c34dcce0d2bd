"""Core API views: token login."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.errors import ValidationFailed
from siliu.core.ratelimit import LoginRateThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)


class TokenLoginView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token …``).

    Limited like the login page: ``SILIU_LOGIN_RATE`` attempts per address.
    """

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ValidationFailed("invalid_credentials", _("用户名或密码错误"), field="password")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
