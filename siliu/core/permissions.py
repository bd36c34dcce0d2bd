"""Who may do what: every role's permissions, and where each holds, as one matrix.

Roles (:class:`~siliu.core.roles.Role`) are sets of permissions, and each permission holds in a
:class:`Scope`: *everywhere*, *in the counties the user manages*, *at the outlets the user operates*
or *on the rounds the user drives today*. Every scope but the first is a set of outlets (the user's
*places*); what is checked is an outlet (a parcel's origin, destination or last place, a seller's
home outlet, a plan's outlet). Superusers hold every permission everywhere. ``is_staff`` grants
nothing here: it only opens Django's admin site, where model permissions apply as usual. Every check
in the code goes through :func:`user_can`, :func:`user_can_at` or :func:`user_outlet_ids`; the matrix
below is rendered in ``docs/permissions.md`` (a test keeps the two equal) and a test walks it over
every endpoint and page.

What a user does with what is theirs (their wallet, their parcels and orders, their claims, their own
shop) needs no permission: the services check ownership.
"""

import contextlib
import contextvars
import enum
from collections.abc import Callable, Collection, Iterator
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from siliu.core.roles import Role, user_roles


class Permission(enum.StrEnum):
    """An action on other people's things, named ``<object>.<verb>``."""

    LEDGER_POST = "ledger.post"
    LEDGER_READ = "ledger.read"
    COUNTER_OPERATE = "counter.operate"
    COUNTER_SIGN_OFF = "counter.sign_off"
    PARCEL_ACCEPT_CASH = "parcel.accept_cash"
    PARCEL_READ = "parcel.read"
    PARCEL_CANCEL = "parcel.cancel"
    PARCEL_SCAN = "parcel.scan"
    STATION_OPERATE = "station.operate"
    EXCEPTION_READ = "exception.read"
    EXCEPTION_HANDLE = "exception.handle"
    ROUND_PLAN = "round.plan"
    ROUND_READ = "round.read"
    ROUND_SCAN = "round.scan"
    CLAIM_FILE_FOR = "claim.file_for"
    CLAIM_READ = "claim.read"
    CLAIM_DECIDE = "claim.decide"
    PARTNER_READ = "partner.read"
    PARTNER_MANAGE = "partner.manage"
    SELLER_READ = "seller.read"
    SELLER_VERIFY = "seller.verify"
    SELLER_ACT_FOR = "seller.act_for"
    SELLER_ID_REVEAL = "seller.id_reveal"
    ORDER_READ = "order.read"
    ORDER_MANAGE = "order.manage"
    ORDER_FOR_VILLAGER = "order.for_villager"
    PAYOUT_PAY = "payout.pay"
    CREDIT_READ = "credit.read"
    CREDIT_CONSENT_FOR = "credit.consent_for"
    CREDIT_VISIT = "credit.visit"
    LOAN_APPLY_FOR = "loan.apply_for"
    LOAN_READ = "loan.read"
    LOAN_REVIEW = "loan.review"
    LOAN_APPROVE = "loan.approve"
    LOAN_COLLECT = "loan.collect"
    LOAN_WRITE_OFF = "loan.write_off"
    INSIGHT_READ = "insight.read"
    AGENCY_OPERATE = "agency.operate"
    AGENCY_READ = "agency.read"
    AGENCY_RECONCILE = "agency.reconcile"
    PICKUP_READ = "pickup.read"
    PICKUP_REQUEST_FOR = "pickup.request_for"
    APPEAL_FILE_FOR = "appeal.file_for"
    APPEAL_READ = "appeal.read"
    APPEAL_HANDLE = "appeal.handle"
    APPEAL_MANAGE = "appeal.manage"
    OUTREACH_READ = "outreach.read"
    OUTREACH_MANAGE = "outreach.manage"

    @property
    def label(self) -> str:
        return str(PERMISSION_LABELS[self])


PERMISSION_LABELS = {
    Permission.LEDGER_POST: _("在任意两个账户之间记账（客户钱包之间转账）"),
    Permission.LEDGER_READ: _("查看任意账户、分录和试算平衡"),
    Permission.COUNTER_OPERATE: _("柜台收现、付现和日结"),
    Permission.COUNTER_SIGN_OFF: _("签核长短款超限的日结"),
    Permission.PARCEL_ACCEPT_CASH: _("收寄现金付费的邮件"),
    Permission.PARCEL_READ: _("查看他人的邮件（含姓名、地址）"),
    Permission.PARCEL_CANCEL: _("撤销他人的邮件"),
    Permission.PARCEL_SCAN: _("扫描邮件（收寄、经转、投递）"),
    Permission.STATION_OPERATE: _("本站邮件：待取、取件交付、待退回、揽收"),
    Permission.EXCEPTION_READ: _("查看异常邮件"),
    Permission.EXCEPTION_HANDLE: _("处理异常邮件（指派、备注、联系、代申请理赔、解决）"),
    Permission.ROUND_PLAN: _("规划投递班次"),
    Permission.ROUND_READ: _("查看投递班次和路单"),
    Permission.ROUND_SCAN: _("班次出发、到站扫描"),
    Permission.CLAIM_FILE_FOR: _("代寄件人申请理赔"),
    Permission.CLAIM_READ: _("查看所有理赔"),
    Permission.CLAIM_DECIDE: _("审核、支付理赔"),
    Permission.PARTNER_READ: _("查看合作快递及其对账单"),
    Permission.PARTNER_MANAGE: _("登记合作快递、接收交接清单"),
    Permission.SELLER_READ: _("查看卖家审核列表、按证件号查找卖家"),
    Permission.SELLER_VERIFY: _("审核、暂停卖家"),
    Permission.SELLER_ACT_FOR: _("代卖家管理商品、批次和提现"),
    Permission.SELLER_ID_REVEAL: _("查看卖家完整证件号"),
    Permission.ORDER_READ: _("查看他人的订单"),
    Permission.ORDER_MANAGE: _("撤销他人的订单"),
    Permission.ORDER_FOR_VILLAGER: _("为村民代下单并收取现金"),
    Permission.PAYOUT_PAY: _("标记提现已付"),
    Permission.CREDIT_READ: _("查看评分卡、模型指标和借款人的信用评分"),
    Permission.CREDIT_CONSENT_FOR: _("为村民代办数据使用同意书"),
    Permission.CREDIT_VISIT: _("记录对借款人的走访"),
    Permission.LOAN_APPLY_FOR: _("为村民代办贷款申请、签约"),
    Permission.LOAN_READ: _("查看贷款申请、贷款和还款"),
    Permission.INSIGHT_READ: _("查看统计：县域看板、网点与农户的数字、合作共赢记分卡及导出"),
    Permission.LOAN_REVIEW: _("审核贷款申请"),
    Permission.AGENCY_OPERATE: _("柜台代理业务：代收缴费、代付取款及其回单"),
    Permission.AGENCY_READ: _("查看代理业务流水、对账单和差错"),
    Permission.AGENCY_RECONCILE: _("导入委托方对账单、处理差错、结算委托方款项"),
    Permission.PICKUP_READ: _("查看服务站的上门揽收单"),
    Permission.PICKUP_REQUEST_FOR: _("为村民预约上门揽收，取消、登记未揽到"),
    Permission.OUTREACH_READ: _("查看邮票展览活动、学校和村的申请及其联系人"),
    Permission.OUTREACH_MANAGE: _("维护邮票目录，规划、记录和取消邮票展览活动"),
    Permission.LOAN_APPROVE: _("复核大额贷款申请（审核人之外的第二人）"),
    Permission.LOAN_COLLECT: _("记录催收（电话、上门、承诺还款）"),
    Permission.LOAN_WRITE_OFF: _("核销可疑、损失类贷款"),
    Permission.APPEAL_FILE_FOR: _("在柜台为村民代提诉求"),
    Permission.APPEAL_READ: _("查看群众诉求及其办理记录"),
    Permission.APPEAL_HANDLE: _("受理、办结群众诉求，驳回重复诉求"),
    Permission.APPEAL_MANAGE: _("处理超时升级的诉求，把共性诉求并案办理"),
}


class Scope(enum.StrEnum):
    """Where a role's permission holds."""

    EVERYWHERE = "everywhere"
    #: at the outlets in the counties the user manages (``network.CountyPost``)
    OWN_COUNTY = "own_county"
    #: at the outlets the user operates (``Outlet.operator``)
    OWN_OUTLET = "own_outlet"
    #: on the rounds the user drives: their vans' outlets, and the stops of today's routes of those vans
    #: (``logistics.Vehicle.driver``)
    OWN_ROUND = "own_round"


ANY, COUNTY, OWN, ROUND = Scope.EVERYWHERE, Scope.OWN_COUNTY, Scope.OWN_OUTLET, Scope.OWN_ROUND
P = Permission

#: The matrix: each role's permissions and where they hold. A role not listed for a permission lacks it.
ROLE_PERMISSIONS: dict[Role, dict[Permission, Scope]] = {
    Role.CONSUMER: {},
    Role.SELLER: {},
    Role.STATION_OPERATOR: {
        P.COUNTER_OPERATE: OWN,
        P.PARCEL_ACCEPT_CASH: OWN,
        P.PARCEL_READ: OWN,
        P.PARCEL_CANCEL: OWN,
        P.PARCEL_SCAN: OWN,
        P.STATION_OPERATE: OWN,
        P.ROUND_PLAN: OWN,
        P.ROUND_READ: OWN,
        P.ROUND_SCAN: OWN,
        P.CLAIM_FILE_FOR: OWN,
        P.ORDER_FOR_VILLAGER: OWN,
        P.CREDIT_CONSENT_FOR: OWN,
        P.CREDIT_VISIT: OWN,
        P.LOAN_APPLY_FOR: OWN,
        P.AGENCY_OPERATE: OWN,
        P.PICKUP_READ: OWN,
        P.PICKUP_REQUEST_FOR: OWN,
        P.APPEAL_FILE_FOR: OWN,
        P.APPEAL_READ: OWN,
        P.APPEAL_HANDLE: OWN,
    },
    Role.COURIER: {
        P.PARCEL_READ: ROUND,
        P.PARCEL_SCAN: ROUND,
        P.ROUND_READ: ROUND,
        P.ROUND_SCAN: ROUND,
    },
    Role.COUNTY_MANAGER: {
        P.COUNTER_SIGN_OFF: COUNTY,
        P.PARCEL_READ: COUNTY,
        P.PARCEL_CANCEL: COUNTY,
        P.PARCEL_SCAN: COUNTY,
        P.STATION_OPERATE: COUNTY,
        P.EXCEPTION_READ: COUNTY,
        # Not the station operator: a silent parcel is silent between places, which only the county
        # sees whole; an operator files a claim for a sender at their station (claim.file_for) anyway.
        P.EXCEPTION_HANDLE: COUNTY,
        P.ROUND_PLAN: COUNTY,
        P.ROUND_READ: COUNTY,
        P.ROUND_SCAN: COUNTY,
        P.CLAIM_FILE_FOR: COUNTY,
        P.CLAIM_READ: COUNTY,
        P.CLAIM_DECIDE: COUNTY,
        # Partner couriers hand over at any hub and are registered once for the network.
        P.PARTNER_READ: ANY,
        P.PARTNER_MANAGE: ANY,
        P.SELLER_READ: COUNTY,
        P.SELLER_VERIFY: COUNTY,
        P.SELLER_ACT_FOR: COUNTY,
        P.ORDER_READ: COUNTY,
        P.ORDER_MANAGE: COUNTY,
        P.CREDIT_READ: COUNTY,
        # The second person on large loans, and the write-off: never the officer who reviewed.
        P.LOAN_READ: COUNTY,
        P.LOAN_APPROVE: COUNTY,
        P.LOAN_WRITE_OFF: COUNTY,
        P.INSIGHT_READ: COUNTY,
        P.AGENCY_READ: COUNTY,
        P.AGENCY_RECONCILE: COUNTY,
        P.PICKUP_READ: COUNTY,
        # A late request comes up to the county, which may act on it where the station did not.
        P.APPEAL_READ: COUNTY,
        P.APPEAL_HANDLE: COUNTY,
        P.APPEAL_MANAGE: COUNTY,
        # Exhibitions go where the county has not been yet, so the county plans them.
        P.OUTREACH_READ: COUNTY,
        P.OUTREACH_MANAGE: COUNTY,
    },
    Role.LOAN_OFFICER: {
        P.CREDIT_READ: ANY,
        P.LOAN_READ: ANY,
        P.LOAN_REVIEW: ANY,
        P.LOAN_COLLECT: ANY,
    },
    Role.AUDITOR: {
        P.LEDGER_READ: ANY,
        P.PARCEL_READ: ANY,
        P.EXCEPTION_READ: ANY,
        P.ROUND_READ: ANY,
        P.CLAIM_READ: ANY,
        P.PARTNER_READ: ANY,
        P.SELLER_READ: ANY,
        P.SELLER_ID_REVEAL: ANY,
        P.ORDER_READ: ANY,
        P.LOAN_READ: ANY,
        P.INSIGHT_READ: ANY,
        P.AGENCY_READ: ANY,
        P.PICKUP_READ: ANY,
        P.APPEAL_READ: ANY,
        P.OUTREACH_READ: ANY,
    },
    # Finance staff pay sellers' payouts from the platform's bank account, for the whole network.
    Role.FINANCE: {
        P.PAYOUT_PAY: ANY,
        P.LEDGER_READ: ANY,
        P.INSIGHT_READ: ANY,
        P.AGENCY_READ: ANY,
        P.AGENCY_RECONCILE: ANY,
    },
}

User = AbstractBaseUser | AnonymousUser


class Operated(Protocol):
    """An outlet, as the checks read it: its id and who operates it (``Outlet.operator``)."""

    @property
    def pk(self) -> int | None: ...

    @property
    def operator_id(self) -> int | None: ...


#: scope → the ids of the outlets that are a user's places in it; registered at start-up by the app
#: that records them (:func:`places_register`). A scope with no resolver gives no place.
PlaceResolver = Callable[[AbstractBaseUser], Collection[int]]
_PLACE_RESOLVERS: dict[Scope, PlaceResolver] = {}


def places_register(scope: Scope, resolver: PlaceResolver) -> None:
    """Tell the checks how to find a user's places in ``scope`` (called by :mod:`siliu.hooks`)."""
    _PLACE_RESOLVERS[scope] = resolver


def user_scopes(user: User, permission: Permission) -> set[Scope]:
    """The scopes in which ``user`` holds ``permission`` (empty when it lacks it)."""
    if not user.is_authenticated:
        return set()
    if getattr(user, "is_superuser", False):
        return {Scope.EVERYWHERE}
    names = user_roles(user)
    return {
        scope
        for role, permissions in ROLE_PERMISSIONS.items()
        if role.value in names and (scope := permissions.get(permission)) is not None
    }


#: Places looked up during the current request, by (user id, scope); ``None`` outside a request, where
#: every check looks them up again (a service called from a task or a test sees every change at once).
_request_places: contextvars.ContextVar[dict[tuple[int, Scope], frozenset[int]] | None] = (
    contextvars.ContextVar("siliu_request_places", default=None)
)


@contextlib.contextmanager
def places_cached() -> Iterator[None]:
    """Look each user's places up once inside the block (one request: :mod:`siliu.core.middleware`)."""
    token = _request_places.set({})
    try:
        yield
    finally:
        _request_places.reset(token)


def _places(user: AbstractBaseUser, scope: Scope) -> frozenset[int]:
    """The user's places in ``scope``, once per request."""
    cache = _request_places.get()
    key = (user.pk, scope)
    if cache is not None and key in cache:
        return cache[key]
    resolver = _PLACE_RESOLVERS.get(scope)
    places = frozenset(resolver(user)) if resolver is not None else frozenset()
    if cache is not None:
        cache[key] = places
    return places


def user_can(user: User, permission: Permission) -> bool:
    """Whether ``user`` holds ``permission`` anywhere (everywhere, or at some place of theirs)."""
    return bool(user_scopes(user, permission))


def user_can_everywhere(user: User, permission: Permission) -> bool:
    """Whether ``user`` holds ``permission`` without a limit of place."""
    return Scope.EVERYWHERE in user_scopes(user, permission)


def user_can_at(
    user: User, permission: Permission, outlet: Operated | None, *, scopes: Collection[Scope] | None = None
) -> bool:
    """Whether ``user`` holds ``permission`` at ``outlet``: everywhere, or there as one of their places.

    ``scopes`` narrows the scopes that count (a round's scans ask for a route of the user's own van
    separately from the other scopes)."""
    held = user_scopes(user, permission)
    if scopes is not None:
        held &= set(scopes)
    if Scope.EVERYWHERE in held:
        return True
    if outlet is None or not held:
        return False
    if Scope.OWN_OUTLET in held and outlet.operator_id is not None and outlet.operator_id == user.pk:
        return True
    assert isinstance(user, AbstractBaseUser)
    return any(outlet.pk in _places(user, scope) for scope in held - {Scope.EVERYWHERE, Scope.OWN_OUTLET})


def user_outlet_ids(user: User, permission: Permission) -> frozenset[int] | None:
    """The ids of the outlets where ``user`` holds ``permission``; ``None`` when it holds everywhere
    (empty when it holds nowhere). For lists: ``filter(outlet_id__in=…)``."""
    held = user_scopes(user, permission)
    if Scope.EVERYWHERE in held:
        return None
    if not held:
        return frozenset()
    assert isinstance(user, AbstractBaseUser)
    return frozenset().union(*(_places(user, scope) for scope in held))


def permissions_matrix_markdown() -> str:
    """The matrix as the Markdown table of ``docs/permissions.md``: a row per permission, a column per
    role; ✓ everywhere, 本县 in the user's county, 本站 at the user's own station, 本班次 on the rounds
    the user drives, blank for no."""
    roles = list(Role)
    header = "| permission | 权限 | " + " | ".join(f"`{role.value}`" for role in roles) + " |"
    rule = "| --- | --- | " + " | ".join(":-:" for _role in roles) + " |"
    mark = {
        Scope.EVERYWHERE: "✓",
        Scope.OWN_COUNTY: "本县",
        Scope.OWN_OUTLET: "本站",
        Scope.OWN_ROUND: "本班次",
    }
    rows = [
        f"| `{permission.value}` | {PERMISSION_LABELS[permission]} | "
        + " | ".join(mark.get(ROLE_PERMISSIONS[role].get(permission), "") for role in roles)  # type: ignore[arg-type]
        + " |"
        for permission in Permission
    ]
    return "\n".join([header, rule, *rows]) + "\n"
