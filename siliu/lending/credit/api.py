"""Credit API under ``/api/v1/credit/``.

- ``GET /api/v1/credit/consent`` — your consent in force (or none) and the text to consent to.
- ``POST /api/v1/credit/consent`` — give or withdraw your consent; a station operator names a villager
  (``person``: a ``user_id`` from ``/api/v1/people``).
- ``GET /api/v1/credit/score`` — your score today (kept once a day) with its three reasons (409
  ``no_consent`` without consent); a loan officer names a borrower with ``?person=<user_id>``.
- ``POST /api/v1/credit/visits`` — a station operator records a visit to a consenting borrower.
- ``GET /api/v1/credit/model`` — the card in use, its metrics and points per bin (``credit.read``).

Errors: bad input 400 naming the field, not allowed 403, unknown user 404, no consent (to score or
to withdraw) or consent already given 409.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.ids import MAX_ID
from siliu.core.permissions import Permission
from siliu.core.rest import permission_required
from siliu.lending.credit.models import CreditConsent, FieldVisit, Scorecard, ScoreRecord
from siliu.lending.credit.selectors import consent_in_force, person_for_credit, scorecard_current
from siliu.lending.credit.services import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    VISIT_NOTE_MAX_LENGTH,
    credit_consent_give,
    credit_consent_withdraw,
    credit_score_today,
    field_visit_record,
)


class ConsentActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["give", "withdraw"], help_text="give 同意，withdraw 撤回")
    person = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="站点运营员代办时：村民（/api/v1/people 的 user_id）",
    )


class ScoreQuerySerializer(serializers.Serializer):
    person = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="信贷员查看借款人时：其 user_id"
    )


class VisitCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="借款人（/api/v1/people 的 user_id）"
    )
    visited_on = serializers.DateField(help_text="走访日期，不晚于今天")
    note = serializers.CharField(max_length=VISIT_NOTE_MAX_LENGTH, help_text="看到的情况")


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = FieldVisit
        fields = ["id", "visited_on", "note", "recorded_at"]


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditConsent
        fields = ["id", "text", "text_version", "given_at", "withdrawn_at"]


class ConsentStateSerializer(serializers.Serializer):
    consent = ConsentSerializer(allow_null=True, help_text="生效的同意书；没有时为 null")
    text = serializers.CharField(help_text="同意书全文")
    text_version = serializers.CharField()


class ScoreSerializer(serializers.ModelSerializer):
    scorecard_version = serializers.IntegerField(source="scorecard.version")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="扣分最多的三项，通俗中文")
    features = serializers.DictField(child=serializers.FloatField())
    points = serializers.DictField(child=serializers.FloatField())
    field_visit = VisitSerializer(allow_null=True, help_text="评分时最近的走访（不计分）")

    class Meta:
        model = ScoreRecord
        fields = [
            "score",
            "scored_on",
            "scorecard_version",
            "reasons",
            "features",
            "points",
            "field_visit",
            "computed_at",
        ]


class ScorecardSerializer(serializers.ModelSerializer):
    bins = serializers.DictField(child=serializers.DictField(), help_text="特征 → {splits, points}")
    metrics = serializers.DictField(help_text="auc、ks、gini、baseline_auc …（专家评分卡为空）")

    class Meta:
        model = Scorecard
        fields = ["version", "kind", "trained_at", "base_points", "bins", "metrics"]


def _state(user: Any) -> dict[str, Any]:
    return {"consent": consent_in_force(subject=user), "text": CONSENT_TEXT, "text_version": CONSENT_VERSION}


class ConsentView(APIView):
    """Your data-use consent: read it, give it, withdraw it (or a villager's, for a station operator)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ConsentStateSerializer)
    def get(self, request: Request) -> Response:
        return Response(ConsentStateSerializer(_state(request.user)).data)

    @extend_schema(request=ConsentActionSerializer, responses=ConsentStateSerializer)
    def post(self, request: Request) -> Response:
        serializer = ConsentActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = request.user
        assert isinstance(actor, AbstractBaseUser)
        subject = person_for_credit(user_id=data["person"]) if "person" in data else actor
        if data["action"] == "give":
            credit_consent_give(subject=subject, actor=actor)
        else:
            credit_consent_withdraw(subject=subject, actor=actor)
        return Response(ConsentStateSerializer(_state(subject)).data)


class ScoreView(APIView):
    """Your score today and its three reasons; a loan officer's look at a borrower's."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[ScoreQuerySerializer], responses=ScoreSerializer)
    def get(self, request: Request) -> Response:
        query = ScoreQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        actor = request.user
        assert isinstance(actor, AbstractBaseUser)
        person = query.validated_data.get("person")
        subject = person_for_credit(user_id=person) if person else actor
        record = credit_score_today(user=subject, actor=actor)
        return Response(ScoreSerializer(record).data)


class VisitView(APIView):
    """A station operator records a visit to a borrower who has consented."""

    permission_classes = [permission_required(Permission.CREDIT_VISIT)]

    @extend_schema(request=VisitCreateSerializer, responses={201: VisitSerializer})
    def post(self, request: Request) -> Response:
        serializer = VisitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = request.user
        assert isinstance(actor, AbstractBaseUser)
        visit = field_visit_record(
            subject=person_for_credit(user_id=data["person"]),
            actor=actor,
            visited_on=data["visited_on"],
            note=data["note"],
        )
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class ModelView(APIView):
    """The scorecard in use: version, kind, date, points per bin and hold-out metrics."""

    permission_classes = [permission_required(Permission.CREDIT_READ)]

    @extend_schema(responses=ScorecardSerializer)
    def get(self, request: Request) -> Response:
        return Response(ScorecardSerializer(scorecard_current()).data)
