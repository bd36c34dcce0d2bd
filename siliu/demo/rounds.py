"""Today's delivery rounds of the demo courier's township office, planned as ``siliu demo`` ends.

The demo ``courier`` drives a van of the first township office (ADR 0009): the first, or the one today's
plan loads when it leaves the first at home; their 投递班次 page
lists that office's plans, and their places are the stops of today's latest finished plan. Planning
today's rounds once, at the demo's "now", gives them a round on the day the demo is run.
"""

from siliu.demo.commerce_history import HistoryWindow
from siliu.logistics.models import RoundPlan, Vehicle
from siliu.logistics.rounds.services import round_plan_request, vehicle_driver_set
from siliu.logistics.rounds.tasks import round_plan_run

#: Solver time of the demo's round plan: enough for a township office's dozen stops.
DEMO_ROUND_SECONDS = 2


def demo_round_plan(*, window: HistoryWindow, seconds: int = DEMO_ROUND_SECONDS) -> RoundPlan | None:
    """Plan the rounds of the demo courier's office on the window's last day, at its end, and run the
    plan here (not through the task queue, so it is there when the command returns). ``None`` when no
    van has a driver. The solver's result may differ between runs (a time budget, not an iteration
    count): nothing else in the demo depends on it."""
    van = (
        Vehicle.objects.select_related("outlet")
        .filter(driver__isnull=False)
        .order_by("outlet__code", "pk")
        .first()
    )
    if van is None:
        return None
    plan = round_plan_request(
        outlet_code=van.outlet.code, planned_on=window.end.date(), seconds=seconds, now=window.end
    )
    round_plan_run.call(plan.pk)
    plan.refresh_from_db()
    # The office's vans are alike and the solver may load another one: the courier then takes that van
    # today, so that their 我的班次 shows a route whenever the plan has one.
    loaded = [route["vehicle"]["id"] for route in plan.result.get("routes", []) if route.get("stops")]
    if loaded and van.pk not in loaded:
        driver = van.driver
        vehicle_driver_set(vehicle=van, driver=None)
        vehicle_driver_set(vehicle=Vehicle.objects.get(pk=loaded[0]), driver=driver)
    return plan
