"""Lending's tables; see the modules beside this one for what they mean."""

from siliu.lending.credit.models import *  # noqa: F403  (credit's tables live in its part)
