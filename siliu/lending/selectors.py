"""Reads of lending: the loan products offered."""

from django.db.models import QuerySet

from siliu.lending.products import LoanProduct


def loan_product_list() -> QuerySet[LoanProduct]:
    """The active loan products, by code; anyone logged in may see them."""
    return LoanProduct.objects.filter(is_active=True).order_by("code")
