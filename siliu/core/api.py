"""Core API views: token login."""

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.errors import ValidationFailed
from siliu.core.lockout import login_locked_error
from siliu.core.ratelimit import LoginRateThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)


class TokenLoginView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token …``).

    Limited like the login page: ``SILIU_LOGIN_RATE`` attempts per address, and django-axes's lockout of
    a username at an address after ``SILIU_LOGIN_FAILURE_LIMIT`` failures (429 ``login_locked``).
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
        # The Django request, not DRF's wrapper: django-axes marks a lockout on the object it is given,
        # and its middleware reads the mark from the Django request.
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise login_locked_error()
            raise ValidationFailed("invalid_credentials", _("用户名或密码错误"), field="password")
        # A token login is a login: django-axes resets the failures on it, Django records last_login.
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
