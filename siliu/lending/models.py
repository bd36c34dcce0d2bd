"""Lending's tables, gathered here for Django from the parts that keep them: the products
(:mod:`siliu.lending.products`), credit (:mod:`siliu.lending.credit.models`) and the loans
(:mod:`siliu.lending.loans.models`). Code in lending imports them from their parts, never from here, so
that no part of lending depends on another through this module."""

from siliu.lending.credit.models import *  # noqa: F403
from siliu.lending.loans.models import *  # noqa: F403
from siliu.lending.products import *  # noqa: F403
