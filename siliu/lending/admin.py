"""Lending's tables in the admin: staff set up loan products and edit the expert scorecard's points."""

from typing import Any

from django import forms
from django.contrib import admin

from siliu.lending.credit.models import CreditConsent, CreditConsentEvent, FieldVisit, Scorecard, ScoreRecord
from siliu.lending.credit.scorecards import bins_validate
from siliu.lending.loans.models import (
    LendingNight,
    Loan,
    LoanApplication,
    LoanApplicationEvent,
    LoanCollectionNote,
    LoanEvent,
    LoanInstallment,
    LoanRepayment,
)
from siliu.lending.products import LoanProduct


@admin.register(CreditConsent)
class CreditConsentAdmin(admin.ModelAdmin):
    list_display = ["subject", "given_by", "text_version", "given_at", "withdrawn_at"]
    readonly_fields = [
        "subject",
        "given_by",
        "text",
        "text_version",
        "given_at",
        "withdrawn_at",
        "withdrawn_by",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False  # given on the consent page only: credit_consent_give


@admin.register(CreditConsentEvent)
class CreditConsentEventAdmin(admin.ModelAdmin):
    list_display = ["consent", "kind", "actor", "occurred_at"]


class ScorecardForm(forms.ModelForm):
    """Refuses points that do not cover every bin of every feature (the card would not score)."""

    class Meta:
        model = Scorecard
        fields = [
            "version",
            "kind",
            "trained_at",
            "base_points",
            "approve_from",
            "refuse_below",
            "bins",
            "metrics",
            "reference",
        ]

    def clean_bins(self) -> Any:
        bins = self.cleaned_data["bins"]
        try:
            bins_validate(bins)
        except (ValueError, TypeError, KeyError) as error:
            raise forms.ValidationError(str(error)) from error
        return bins


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    form = ScorecardForm
    list_display = ["version", "kind", "trained_at", "approve_from", "refuse_below"]


@admin.register(ScoreRecord)
class ScoreRecordAdmin(admin.ModelAdmin):
    list_display = ["subject", "score", "scorecard", "scored_on", "computed_at"]


@admin.register(FieldVisit)
class FieldVisitAdmin(admin.ModelAdmin):
    list_display = ["subject", "visited_by", "visited_on", "recorded_at"]


@admin.register(LoanProduct)
class LoanProductAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "method",
        "min_amount_fen",
        "max_amount_fen",
        "term_months",
        "annual_rate_bp",
        "is_active",
    ]
    list_filter = ["method", "is_active"]
    search_fields = ["code", "name"]


class _ReadOnly(admin.ModelAdmin):
    """Written by the lending services only (each change with its event and its ledger transfers)."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(LoanApplication)
class LoanApplicationAdmin(_ReadOnly):
    list_display = ["number", "applicant", "product", "amount_fen", "status", "band", "score", "filed_at"]
    list_filter = ["status", "band"]
    search_fields = ["number"]


@admin.register(LoanApplicationEvent)
class LoanApplicationEventAdmin(_ReadOnly):
    list_display = ["application", "from_status", "to_status", "actor", "occurred_at"]


@admin.register(Loan)
class LoanAdmin(_ReadOnly):
    list_display = [
        "number",
        "borrower",
        "method",
        "amount_fen",
        "status",
        "principal_outstanding_fen",
        "days_past_due",
        "classification",
    ]
    list_filter = ["status", "classification", "method"]
    search_fields = ["number"]


@admin.register(LoanEvent)
class LoanEventAdmin(_ReadOnly):
    list_display = ["loan", "from_status", "to_status", "actor", "occurred_at"]


@admin.register(LoanInstallment)
class LoanInstallmentAdmin(_ReadOnly):
    list_display = ["loan", "n", "due_on", "principal_fen", "interest_fen", "penalty_fen", "settled_on"]


@admin.register(LoanRepayment)
class LoanRepaymentAdmin(_ReadOnly):
    list_display = ["loan", "source", "amount_fen", "principal_fen", "interest_fen", "penalty_fen", "paid_at"]
    list_filter = ["source"]


@admin.register(LoanCollectionNote)
class LoanCollectionNoteAdmin(_ReadOnly):
    list_display = ["loan", "kind", "promised_on", "written_by", "written_at"]


@admin.register(LendingNight)
class LendingNightAdmin(_ReadOnly):
    list_display = [
        "business_on",
        "loan_count",
        "interest_accrued_fen",
        "debited_count",
        "provision_change_fen",
    ]
