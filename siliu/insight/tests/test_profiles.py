"""经营概况: a seller's four flows month by month (the year of ``profile_fixtures``), and who may see it."""

import datetime
import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.commerce.models import Seller
from siliu.commerce.tests.conftest import fund, shop  # noqa: F401
from siliu.core.roles import Role
from siliu.insight.profiles.selectors import profile_months, seller_profile
from siliu.insight.tests.profile_fixtures import TRACE_CODE, Year, year_of_flows  # noqa: F401
from siliu.lending.credit.services import credit_consent_give, credit_consent_withdraw
from siliu.lending.tests.loan_fixtures import lend, loan_fund, officer  # noqa: F401
from siliu.logistics.tests.conftest import county  # noqa: F401
from siliu.network.models import Region, RegionLevel
from siliu.network.services import region_create

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
TODAY = datetime.date(2026, 11, 30)


def test_the_twelve_months_end_with_the_current_one() -> None:
    """Twelve first days of months, the oldest first, across the turn of the year."""
    months = profile_months(datetime.date(2026, 2, 14))
    assert (months[0], months[-1], len(months)) == (datetime.date(2025, 3, 1), datetime.date(2026, 2, 1), 12)


def test_the_profile_joins_the_four_flows_by_month(year_of_flows: Year) -> None:  # noqa: F811
    """Sales, buyers, parcels, settlement, withdrawals, trace opens by month; products, money, loans."""
    profile = seller_profile(seller=year_of_flows.shop.cooperative, today=TODAY)
    assert (profile.date_from, profile.date_to) == (datetime.date(2025, 12, 1), TODAY)
    assert [row.month for row in profile.months][::11] == [
        datetime.date(2025, 12, 1),
        datetime.date(2026, 11, 1),
    ]
    october, november = profile.months[-2], profile.months[-1]
    # The box left paid in October; the cancelled order counts nowhere.
    assert (october.orders, october.gmv_fen, october.buyers, october.parcels_sent, october.trace_opens) == (
        1,
        5980,
        1,
        0,
        1,
    )
    assert (november.orders, november.gmv_fen, november.buyers) == (2, 11960 + 5980, 2)
    assert (november.parcels_sent, november.parcels_delivered, november.parcels_on_time) == (1, 1, 1)
    assert (november.on_time_rate, november.on_time_percent, october.on_time_percent) == (1.0, "100.0%", "—")
    assert (november.settled_fen, november.commission_fen) == (11601, 359)
    # ¥50.00 to the wallet, ¥20.00 asked and returned, ¥10.00 asked and pending.
    assert november.withdrawn_fen == 5000 + 2000 - 2000 + 1000
    assert november.trace_opens == 3
    assert all(row.orders == 0 and row.trace_opens == 0 for row in profile.months[:-2])
    totals = profile.totals
    assert (totals.orders, totals.gmv_fen, totals.settled_fen, totals.withdrawn_fen, totals.trace_opens) == (
        3,
        23920,
        11601,
        6000,
        4,
    )
    # Buyer A ordered in October and November (a repeat buyer); buyer B's kept order is one.
    assert (profile.buyers, profile.repeat_buyers, profile.repeat_percent) == (2, 1, "50.0%")
    assert [(p.name, p.orders, p.quantity, p.amount_fen) for p in profile.products] == [
        ("徐香猕猴桃 5斤装", 3, 4, 23920)
    ]
    # To come: two paid boxes, ¥59.80 less ¥1.79 commission each; payable ¥116.01 less ¥60.00 out.
    money = profile.money
    assert (money.to_come_fen, money.payable_fen, money.payouts_pending_fen) == (2 * 5801, 5601, 1000)
    # The wallet: the loan paid out, the withdrawal in, the early repayment out.
    assert profile.wallet_fen == 1_000_000 + 5000 - 50_000
    [loan] = profile.loans
    # Two days of 12 % a year on ¥10,000.00 (÷ 360) is ¥6.66; the rest of the ¥500.00 is principal.
    assert (loan.number, loan.amount_fen, loan.status, loan.disbursed_on) == (
        year_of_flows.loan.number,
        1_000_000,
        "active",
        datetime.date(2026, 11, 26),
    )
    assert (loan.repaid_interest_fen, loan.repaid_principal_fen, loan.outstanding_fen, loan.swept_fen) == (
        666,
        49_334,
        1_000_000 - 49_334,
        0,
    )
    assert (profile.loans_outstanding_fen, profile.loans_repaid_fen) == (950_666, 50_000)
    # The opening of November 2025 is before the twelve months.
    assert [(batch.code, batch.opens) for batch in profile.trace_batches] == [(TRACE_CODE, 4)]
    chart = profile.chart()
    assert chart["months"][-2:] == ["2026-10", "2026-11"]
    assert (chart["gmv_yuan"][-2:], chart["orders"][-2:], chart["parcels_on_time"][-1]) == (
        [59.8, 179.4],
        [1, 2],
        1,
    )


def test_a_seller_opens_its_own_profile(year_of_flows: Year, client: Client) -> None:  # noqa: F811
    """/insight/me/ shows the seller's page with its charts' data; by its id too."""
    cooperative = year_of_flows.shop.cooperative
    client.force_login(cooperative.user)
    response = client.get("/insight/me/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "王家村猕猴桃专业合作社" in text and 'id="profile-chart-data"' in text
    assert 'data-testid="sales-chart"' in text and "vendor/echarts.custom.min.js" in text
    data = json.loads(text.split('id="profile-chart-data" type="application/json">')[1].split("</script>")[0])
    assert (len(data["months"]), data["orders"][-1]) == (12, response.context["profile"].months[-1].orders)
    assert f'href="/lending/loans/{year_of_flows.loan.number}/"' in text
    assert client.get(f"/insight/sellers/{cooperative.pk}/").status_code == 200


def test_a_user_without_a_shop_is_told_so(make_user: MakeUser, client: Client) -> None:
    """Not a 500, not a 403: a page saying what 经营概况 is and how to become a seller."""
    client.force_login(make_user(Role.CONSUMER))
    response = client.get("/insight/me/")
    assert response.status_code == 200
    assert 'data-testid="no-shop"' in response.content.decode()


def _status(client: Client, user: User, seller: Seller) -> int:
    client.force_login(user)
    return client.get(f"/insight/sellers/{seller.pk}/").status_code


def test_who_may_see_a_sellers_profile(
    year_of_flows: Year,  # noqa: F811
    officer: User,  # noqa: F811
    make_user: MakeUser,
    client: Client,
) -> None:
    """The county manager of its county and an auditor; a loan officer only while the seller consents;
    not a county manager elsewhere (404, as for no seller), finance staff or another seller (403)."""
    cooperative = year_of_flows.shop.cooperative
    home = Region.objects.get(code="610199")
    elsewhere = region_create(code="610299", name="邻县", level=RegionLevel.COUNTY, parent=home.parent)
    assert _status(client, make_user(Role.COUNTY_MANAGER, county=home), cooperative) == 200
    assert _status(client, make_user(Role.COUNTY_MANAGER, county=elsewhere), cooperative) == 404
    assert _status(client, make_user(Role.AUDITOR), cooperative) == 200
    assert _status(client, year_of_flows.finance, cooperative) == 403
    assert _status(client, year_of_flows.shop.merchant.user, cooperative) == 403
    assert _status(client, make_user(Role.CONSUMER), cooperative) == 403
    client.logout()
    response = client.get(f"/insight/sellers/{cooperative.pk}/")
    assert (response.status_code, response["Location"][:7]) == (302, "/login/")

    client.force_login(officer)
    refused = client.get(f"/insight/sellers/{cooperative.pk}/")
    assert refused.status_code == 403
    assert "没有签署或已撤回数据使用同意书" in refused.content.decode()
    credit_consent_give(subject=cooperative.user, actor=cooperative.user)
    allowed = client.get(f"/insight/sellers/{cooperative.pk}/")
    assert allowed.status_code == 200
    assert allowed.context["consent"].subject_id == cooperative.user_id
    assert 'data-testid="profile-consent"' in allowed.content.decode()
    credit_consent_withdraw(subject=cooperative.user, actor=cooperative.user)
    assert client.get(f"/insight/sellers/{cooperative.pk}/").status_code == 403


def test_an_unknown_seller_is_404(make_user: MakeUser, client: Client) -> None:
    """To who may look at sellers; an id beyond any column is no seller either."""
    client.force_login(make_user(Role.AUDITOR))
    assert client.get("/insight/sellers/999999/").status_code == 404
    assert client.get("/insight/sellers/99999999999999999999/").status_code == 404


def test_the_county_manager_and_the_loan_officer_find_the_profile_from_their_pages(
    year_of_flows: Year,  # noqa: F811
    officer: User,  # noqa: F811
    make_user: MakeUser,
    client: Client,
) -> None:
    """卖家审核 links each seller's profile; so does a loan application of a seller."""
    cooperative = year_of_flows.shop.cooperative
    link = f'href="/insight/sellers/{cooperative.pk}/"'
    client.force_login(make_user(Role.COUNTY_MANAGER, county=Region.objects.get(code="610199")))
    assert link in client.get("/shop/sellers/review/?status=verified").content.decode()
    client.force_login(officer)
    page = client.get(f"/lending/review/{year_of_flows.loan.application.number}/")
    assert page.status_code == 200
    assert link in page.content.decode()
