"""A seller on a phone at 360 px: sees that without consent there is only manual review, reads and gives
the consent, and sees the score and its three reasons; a loan officer opens the model page. Every page is
checked as in conftest (axe-core, CSP, no sideways scrolling at 100 % and 200 % text, tap targets)."""

import pytest
from playwright.sync_api import Browser, expect

from siliu.core.people import user_profile_set
from siliu.core.roles import Role
from siliu.core.tests.factories import UserFactory
from siliu.lending.credit.models import CreditConsent, FieldVisit, ScoreRecord
from tests.browser.conftest import checked_context, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_seller_gives_consent_and_sees_the_score_and_reasons(browser: Browser, live_server: object) -> None:
    """信用分 → no consent → 同意书 → 我同意 → the score and three plain sentences; the officer's
    借款人 list, the borrower's page with the same reasons, and 评分卡."""
    seller = UserFactory.create(username="credit_seller", roles=[Role.SELLER])
    UserFactory.create(username="credit_officer", roles=[Role.LOAN_OFFICER])

    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "credit_seller")
        page.goto("/lending/credit/")
        expect(page.get_by_test_id("no-consent")).to_contain_text("只能人工审核")
        page.get_by_role("link", name="查看并同意数据使用同意书").click()
        expect(page.get_by_test_id("consent-text")).to_contain_text("不使用性别、民族、年龄和出生地")
        page.get_by_test_id("consent-give").click()
        expect(page.get_by_test_id("credit-score")).to_be_visible()
        reasons = page.get_by_test_id("credit-reasons").locator("li")
        expect(reasons).to_have_count(3)
        expect(reasons.first).to_have_text("近12个月在平台上没有卖出货物")
        screenshot(page, "credit-score-360")

        officer = context.new_page()
        officer.context.clear_cookies()
        log_in(officer, "credit_officer")
        officer.goto("/lending/credit/borrowers/")
        officer.get_by_test_id("borrowers").get_by_role("link").first.click()
        expect(officer.get_by_test_id("credit-reasons").locator("li")).to_have_count(3)
        officer.goto("/lending/credit/model/")
        expect(officer.get_by_role("heading", level=1)).to_contain_text("评分卡 v0")

    record = ScoreRecord.objects.get(subject=seller)
    assert CreditConsent.objects.get(subject=seller).withdrawn_at is None
    assert len(record.reasons) == 3


def test_an_operator_consents_for_a_villager_and_records_a_visit(
    browser: Browser, live_server: object
) -> None:
    """At 360 px: 同意书 → find the villager by the last digits of her phone → 代为同意 → 记录走访 → saved."""
    operator = UserFactory.create(username="credit_operator", roles=[Role.STATION_OPERATOR])
    villager = UserFactory.create(username="credit_villager", last_name="李", first_name="秀英")
    user_profile_set(user=villager, phone="13800005678")

    with checked_context(browser, live_server, width=360, height=740) as context:
        page = context.new_page()
        log_in(page, "credit_operator")
        page.goto("/lending/consent/")
        page.fill("#person-q", "5678")
        page.get_by_test_id("person-search").click()
        people = page.get_by_test_id("people")
        expect(people).to_contain_text("138****5678")
        people.get_by_role("button", name="代为同意").click()
        page.fill("#person-q", "5678")
        page.get_by_test_id("person-search").click()
        page.get_by_test_id("people").get_by_role("link", name="记录走访").click()
        page.fill("#id_note", "种植猕猴桃12亩，已挂果，家里两个劳动力")
        page.get_by_test_id("visit-save").click()
        expect(page.get_by_text("走访记录已保存。")).to_be_visible()

    consent = CreditConsent.objects.get(subject=villager)
    assert consent.given_by == operator
    assert FieldVisit.objects.get(subject=villager).note == "种植猕猴桃12亩，已挂果，家里两个劳动力"
