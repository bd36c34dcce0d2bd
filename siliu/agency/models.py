"""Agency's tables, gathered here for Django from the parts that keep them: the catalogue and the
transactions (:mod:`siliu.agency.catalogue`), reconciliation (:mod:`siliu.agency.reconciliation.models`)
and home pickups (:mod:`siliu.agency.pickups.models`). Code in agency imports them from their parts, never
from here."""

from siliu.agency.catalogue import *  # noqa: F403
from siliu.agency.pickups.models import *  # noqa: F403
from siliu.agency.reconciliation.models import *  # noqa: F403
