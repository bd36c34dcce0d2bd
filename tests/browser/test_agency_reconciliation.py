"""Issue #14's reconciliation, walked by a county manager on a phone (360 px) and on a desktop: the menu
leads to 代理对账, yesterday's statement of the power company is uploaded with one of every mismatch, the
counts show, each mismatch is resolved with a note, and the day is settled after its confirmation. Every
page is checked as in conftest (axe-core, CSP, reflow, tap targets)."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, expect

from siliu.agency.catalogue import Provider
from siliu.agency.counter.services import agency_transact, agency_transaction_reverse
from siliu.agency.reconciliation.models import Statement, StatementStatus
from siliu.agency.reconciliation.statement_file import (
    StatementFileLine,
    statement_file_line,
    statement_file_write,
)
from siliu.core.roles import Role
from siliu.core.tests.factories import UserFactory
from siliu.demo.agency import demo_agency_catalogue_create
from siliu.network.models import OutletKind
from siliu.network.tests.factories import CountyFactory, OutletFactory
from tests.browser.conftest import checked_context, log_in, open_menu, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def yesterdays_statement() -> tuple[datetime.date, bytes]:
    """A station's four electricity bills yesterday (one reversed at the counter) and the power
    company's statement of that day: one amount ¥10 more, one bill left out, the reversed one listed, and
    one we never took."""
    county = CountyFactory.create()
    operator: User = UserFactory.create(roles=[Role.STATION_OPERATOR], username="op")
    UserFactory.create(roles=[Role.COUNTY_MANAGER], username="manager", county=county)
    station = OutletFactory.create(
        code="VS9001",
        name="桃园村服务站",
        kind=OutletKind.VILLAGE_STATION,
        operator=operator,
        has_cash_counter=True,
        offers_agency_services=True,
    )
    demo_agency_catalogue_create(county=county)
    at = timezone.now() - datetime.timedelta(days=1)
    bills = [
        agency_transact(
            outlet=station,
            service_code="electricity",
            account=f"0101-234{index}",
            amount_fen=amount,
            actor=operator,
            now=at + datetime.timedelta(seconds=index),
        )
        for index, amount in enumerate([12_345, 20_000, 5_000, 8_000])
    ]
    agency_transaction_reverse(number=bills[3].number, actor=operator, reason="户号输错", now=at)
    bills[3].refresh_from_db()
    day = timezone.localdate(at)
    content = statement_file_write(
        provider=Provider.objects.get(code="state-grid"),
        business_on=day,
        drop=[bills[2].number],
        amounts={bills[1].number: 21_000},
        add=[
            statement_file_line(bills[3]),
            StatementFileLine(
                number=f"AG{day:%y%m%d}9999999999",
                provider_number="SG-777",
                occurred_at=at,
                service_code="electricity",
                amount_fen=3_000,
                account_display="0101-9999",
            ),
        ],
    )
    return day, content


@pytest.mark.parametrize(("width", "height"), [(360, 740), (1280, 900)])
def test_a_county_manager_reconciles_a_day(
    browser: Browser, live_server: object, width: int, height: int
) -> None:
    day, content = yesterdays_statement()
    phone = width < 500
    with checked_context(browser, live_server, width=width, height=height) as context:
        page = context.new_page()
        log_in(page, "manager")
        if phone:
            open_menu(page)
        page.get_by_role("link", name="代理对账").click()
        expect(page.get_by_test_id("providers")).to_contain_text("国网示范县供电公司")
        screenshot(page, f"reconciliation-1-providers-{width}")
        page.get_by_role("link", name="国网示范县供电公司").click()

        page.fill("#id_business_on", day.isoformat())
        page.set_input_files(
            "#id_file", {"name": "state-grid.csv", "mimeType": "text/csv", "buffer": content}
        )
        page.get_by_test_id("import").click()
        page.wait_for_load_state()
        expect(page.get_by_role("alert").first).to_contain_text("已导入对账单 4 行")
        expect(page.get_by_test_id("count-missing_ours")).to_contain_text("2")
        expect(page.get_by_test_id("mismatch")).to_have_count(4)
        screenshot(page, f"reconciliation-2-statement-{width}")

        for _round in range(4):
            form = page.get_by_test_id("resolve-form").first
            form.locator("input[type=radio]").first.check()
            form.locator("input[name=note]").fill("已与委托方电话核对")
            form.get_by_test_id("resolve").click()
            page.wait_for_load_state()
        expect(page.get_by_test_id("resolve-form")).to_have_count(0)
        expect(page.get_by_test_id("net")).to_contain_text("¥480.95")
        screenshot(page, f"reconciliation-3-resolved-{width}")

        page.get_by_label("已与委托方核对，确认按此金额结算").check()
        page.get_by_test_id("settle").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("statement-status")).to_have_text("已结算")
        screenshot(page, f"reconciliation-4-settled-{width}")
    statement = Statement.objects.get(status=StatementStatus.SETTLED)
    assert statement.settlement_fen == 48_095
