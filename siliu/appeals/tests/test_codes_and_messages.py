"""Filing without an account: the phone code (hashed, 10 minutes, 5 tries, one use, rate-limited), and
the outbox that carries it (sent after commit, retried, given up, the code blanked once sent)."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from siliu.appeals.messages import services as outbox
from siliu.appeals.messages.services import MAX_ATTEMPTS, message_queue, messages_send
from siliu.appeals.models import Appeal, AppealChannel, Message, MessageKind, PhoneCode
from siliu.appeals.requests.services import appeal_file_with_code, phone_code_check, phone_code_send
from siliu.appeals.tests.conftest import NOW, County
from siliu.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
PHONE = "13912345678"


def file_with(county: County, code: str, *, at: datetime.datetime = NOW) -> Appeal:
    return appeal_file_with_code(
        phone=PHONE, code=code, category="delivery", village_code=county.east.code, text="包裹丢了", now=at
    )


def refusal(county: County, code: str, *, at: datetime.datetime = NOW) -> str:
    with pytest.raises(ValidationFailed) as refused:
        file_with(county, code, at=at)
    assert refused.value.field == "code"
    return refused.value.code


def test_a_code_is_six_digits_hashed_at_rest_and_queued_to_the_phone(county: County) -> None:
    """The table keeps a keyed hash, never the code; the message to the phone carries it."""
    sent = phone_code_send(phone="+86 139-1234-5678", now=NOW)
    row = PhoneCode.objects.get()
    assert (sent.phone, len(sent.code), sent.code.isdigit(), row.expires_at) == (
        PHONE,
        6,
        True,
        NOW + 10 * MINUTE,
    )
    assert sent.code not in row.code_hash and len(row.code_hash) == 64
    message = Message.objects.get()
    assert (message.to, message.kind, sent.code in message.text) == (PHONE, MessageKind.PHONE_CODE, True)


def test_the_right_code_files_the_request_and_is_used_up(county: County) -> None:
    """Filed by phone, the requester's phone recorded; the same code cannot file a second one."""
    sent = phone_code_send(phone=PHONE, now=NOW)
    appeal = file_with(county, sent.code, at=NOW + MINUTE)
    assert (appeal.channel, appeal.phone, appeal.requester) == (AppealChannel.PHONE, PHONE, None)
    assert PhoneCode.objects.get().used_at == NOW + MINUTE
    assert refusal(county, sent.code, at=NOW + 2 * MINUTE) == "no_code"
    assert Appeal.objects.count() == 1


def test_a_wrong_code_counts_a_try_and_files_nothing(county: County) -> None:
    """Each wrong code: refused, one try counted (kept although refused), no request."""
    sent = phone_code_send(phone=PHONE, now=NOW)
    wrong = f"{(int(sent.code) + 1) % 1_000_000:06d}"
    assert refusal(county, wrong) == "wrong_code"
    assert refusal(county, wrong) == "wrong_code"
    assert (PhoneCode.objects.get().attempt_count, Appeal.objects.count()) == (2, 0)


def test_five_wrong_tries_kill_the_code(county: County) -> None:
    """After five wrong tries even the right code is refused; a new code works."""
    sent = phone_code_send(phone=PHONE, now=NOW)
    wrong = f"{(int(sent.code) + 1) % 1_000_000:06d}"
    for _try in range(5):
        assert refusal(county, wrong) == "wrong_code"
    assert refusal(county, sent.code) == "code_tries_used"
    assert PhoneCode.objects.get().attempt_count == 5
    fresh = phone_code_send(phone=PHONE, now=NOW + MINUTE)
    assert file_with(county, fresh.code, at=NOW + 2 * MINUTE).phone == PHONE


def test_a_code_expires_after_ten_minutes(county: County) -> None:
    """At 9:59 it files; a code 10 minutes old is refused and no try is counted."""
    sent = phone_code_send(phone=PHONE, now=NOW)
    assert refusal(county, sent.code, at=NOW + 10 * MINUTE) == "code_expired"
    assert PhoneCode.objects.get().attempt_count == 0
    assert file_with(county, sent.code, at=NOW + 10 * MINUTE - datetime.timedelta(seconds=1)).pk


def test_only_the_newest_code_counts(county: County) -> None:
    """A second code replaces the first."""
    first = phone_code_send(phone=PHONE, now=NOW)
    second = phone_code_send(phone=PHONE, now=NOW + MINUTE)
    if first.code != second.code:
        assert refusal(county, first.code, at=NOW + 2 * MINUTE) == "wrong_code"
    assert file_with(county, second.code, at=NOW + 2 * MINUTE).pk


def test_no_code_sent_and_no_code_typed_are_refused(county: County) -> None:
    """Nothing sent to the phone, or an empty code: refused on ``code``."""
    assert refusal(county, "123456") == "no_code"
    assert refusal(county, "") == "code_required"


def test_a_bad_request_spends_no_try(county: County) -> None:
    """The request's own fields are checked before the code: an empty text is refused on ``text`` and the
    code keeps its five tries."""
    phone_code_send(phone=PHONE, now=NOW)
    with pytest.raises(ValidationFailed) as refused:
        appeal_file_with_code(
            phone=PHONE, code="000000", category="delivery", village_code=county.east.code, text="", now=NOW
        )
    assert refused.value.field == "text"
    assert PhoneCode.objects.get().attempt_count == 0


def test_phone_code_check_refuses_a_bad_phone(county: County) -> None:
    """Not a mobile number: refused on ``phone``."""
    with pytest.raises(ValidationFailed) as refused:
        phone_code_check(phone="12345", code="123456", now=NOW)
    assert refused.value.field == "phone"


def test_codes_are_rate_limited_per_phone(county: County, throttle_rates: Any) -> None:
    """Two codes an hour to a phone: the third ask is 429, from the page and from the API alike."""
    throttle_rates(appeal_code_phone="2/hour")
    client = Client()
    page = client.post("/appeals/new/", {"phone": PHONE, "send_code": "1"})
    api = client.post("/api/v1/appeals/codes", {"phone": PHONE}, content_type="application/json")
    third = client.post("/api/v1/appeals/codes", {"phone": PHONE}, content_type="application/json")
    assert (page.status_code, api.status_code, third.status_code) == (200, 202, 429)
    assert PhoneCode.objects.count() == 2
    other = client.post("/api/v1/appeals/codes", {"phone": "13700000000"}, content_type="application/json")
    assert other.status_code == 202


def test_codes_are_rate_limited_per_address(county: County, throttle_rates: Any) -> None:
    """Three codes an hour from one address, whatever the phones."""
    throttle_rates(appeal_code_ip="3/hour")
    client = Client()
    answers = [
        client.post(
            "/api/v1/appeals/codes", {"phone": f"1370000000{n}"}, content_type="application/json"
        ).status_code
        for n in range(4)
    ]
    assert answers == [202, 202, 202, 429]


# --- the outbox -------------------------------------------------------------------------------------


class FailingGateway:
    def send(self, message: Message) -> None:
        raise ConnectionError("gateway down")


def test_messages_are_sent_after_commit(county: County, django_capture_on_commit_callbacks: Any) -> None:
    """Queued in a transaction, one send is asked for once it commits, however many were queued."""
    calls: list[str] = []
    outbox.message_sender_register(sender := lambda: calls.append("send"))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message_queue(to=PHONE, text="一", kind=MessageKind.APPEAL_UPDATE, now=NOW)
            message_queue(to=PHONE, text="二", kind=MessageKind.APPEAL_UPDATE, now=NOW)
    finally:
        outbox._after_commit.remove(sender)
    assert calls == ["send"]


def test_the_log_backend_writes_each_message_and_the_code_is_blanked_once_sent(
    county: County, settings: Any, tmp_path: Path
) -> None:
    """``log``: one line per message; once sent, the outbox keeps the code's digits blanked."""
    settings.SILIU_MESSAGE_BACKEND = "log"
    settings.SILIU_MESSAGE_LOG = tmp_path / "messages.log"
    sent = phone_code_send(phone=PHONE, now=NOW)
    assert messages_send(now=NOW) == 1
    lines = (tmp_path / "messages.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and PHONE in lines[0] and sent.code in lines[0]
    message = Message.objects.get()
    assert (message.sent_at, message.next_attempt_at, message.attempts) == (NOW, None, 1)
    assert sent.code not in message.text and "******" in message.text
    assert messages_send(now=NOW + MINUTE) == 0


def test_the_console_backend_prints(county: County, settings: Any, capsys: Any) -> None:
    """``console``: the message on standard output."""
    settings.SILIU_MESSAGE_BACKEND = "console"
    message_queue(to=PHONE, text="您的诉求已办结", kind=MessageKind.APPEAL_UPDATE, now=NOW)
    messages_send(now=NOW)
    assert f"[短信 → {PHONE}] 您的诉求已办结" in capsys.readouterr().out


def test_a_failing_gateway_is_retried_with_backoff_then_given_up(county: County, settings: Any) -> None:
    """A gateway's error is recorded, the message tried again 1, 2, 4 … minutes later; after six tries it
    is given up, its error kept."""
    settings.SILIU_MESSAGE_BACKEND = f"{__name__}.FailingGateway"
    message_queue(to=PHONE, text="x", kind=MessageKind.APPEAL_UPDATE, now=NOW)
    moment = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert messages_send(now=moment) == 1
        message = Message.objects.get()
        assert (message.attempts, message.error, message.sent_at) == (attempt, "gateway down", None)
        if attempt < MAX_ATTEMPTS:
            assert message.next_attempt_at == moment + datetime.timedelta(minutes=2 ** (attempt - 1))
            assert messages_send(now=moment) == 0  # not due yet
            moment = message.next_attempt_at
    assert Message.objects.get().next_attempt_at is None
    assert messages_send(now=moment + datetime.timedelta(days=1)) == 0
