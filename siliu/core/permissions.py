"""Who may do what: every role's permissions, and where each holds, as one matrix.

Roles (:class:`~siliu.core.roles.Role`) are sets of permissions; a permission holds *everywhere* or
only *at the outlets the user operates* (a station operator acts at their station). Superusers hold
every permission everywhere. ``is_staff`` grants nothing here: it only opens Django's admin site,
where model permissions apply as usual. Every check in the code goes through :func:`user_can` or
:func:`user_can_at`; the matrix below is rendered in ``docs/permissions.md`` (a test keeps the two
equal) and a test walks it over every endpoint and page.

What a user does with what is theirs (their wallet, their parcels and orders, their claims, their own
shop) needs no permission: the services check ownership.
"""

import enum
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from siliu.core.roles import Role, user_roles


class Permission(enum.StrEnum):
    """An action on other people's things, named ``<object>.<verb>``."""

    LEDGER_POST = "ledger.post"
    LEDGER_READ = "ledger.read"
    COUNTER_OPERATE = "counter.operate"
    PARCEL_ACCEPT_CASH = "parcel.accept_cash"
    PARCEL_READ = "parcel.read"
    PARCEL_CANCEL = "parcel.cancel"
    PARCEL_SCAN = "parcel.scan"
    EXCEPTION_READ = "exception.read"
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

    @property
    def label(self) -> str:
        return str(PERMISSION_LABELS[self])


PERMISSION_LABELS = {
    Permission.LEDGER_POST: _("在任意两个账户之间记账（客户钱包之间转账）"),
    Permission.LEDGER_READ: _("查看任意账户、分录和试算平衡"),
    Permission.COUNTER_OPERATE: _("柜台收现、付现和日结"),
    Permission.PARCEL_ACCEPT_CASH: _("收寄现金付费的邮件"),
    Permission.PARCEL_READ: _("查看他人的邮件（含姓名、地址）"),
    Permission.PARCEL_CANCEL: _("撤销他人的邮件"),
    Permission.PARCEL_SCAN: _("扫描邮件（收寄、经转、投递）"),
    Permission.EXCEPTION_READ: _("查看异常邮件"),
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
}


class Scope(enum.StrEnum):
    """Where a role's permission holds."""

    EVERYWHERE = "everywhere"
    OWN_OUTLET = "own_outlet"  # at the outlets the user operates (``Outlet.operator``)


ANY, OWN = Scope.EVERYWHERE, Scope.OWN_OUTLET
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
        P.ROUND_PLAN: OWN,
        P.ROUND_READ: OWN,
        P.ROUND_SCAN: OWN,
        P.CLAIM_FILE_FOR: OWN,
        P.ORDER_FOR_VILLAGER: OWN,
    },
    Role.COURIER: {
        P.PARCEL_READ: ANY,
        P.PARCEL_SCAN: ANY,
        P.ROUND_READ: ANY,
        P.ROUND_SCAN: ANY,
    },
    Role.COUNTY_MANAGER: {
        P.PARCEL_READ: ANY,
        P.PARCEL_CANCEL: ANY,
        P.PARCEL_SCAN: ANY,
        P.EXCEPTION_READ: ANY,
        P.ROUND_PLAN: ANY,
        P.ROUND_READ: ANY,
        P.ROUND_SCAN: ANY,
        P.CLAIM_FILE_FOR: ANY,
        P.CLAIM_READ: ANY,
        P.CLAIM_DECIDE: ANY,
        P.PARTNER_READ: ANY,
        P.PARTNER_MANAGE: ANY,
        P.SELLER_READ: ANY,
        P.SELLER_VERIFY: ANY,
        P.SELLER_ACT_FOR: ANY,
        P.ORDER_READ: ANY,
        P.ORDER_MANAGE: ANY,
    },
    Role.LOAN_OFFICER: {},
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
    },
}

User = AbstractBaseUser | AnonymousUser


class Operated(Protocol):
    """Anything run by an operator: an outlet (``Outlet.operator``)."""

    @property
    def operator_id(self) -> int | None: ...


def _scopes(user: User, permission: Permission) -> set[Scope]:
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


def user_can(user: User, permission: Permission) -> bool:
    """Whether ``user`` holds ``permission`` anywhere (everywhere, or at an outlet they operate)."""
    return bool(_scopes(user, permission))


def user_can_everywhere(user: User, permission: Permission) -> bool:
    """Whether ``user`` holds ``permission`` without a limit of place."""
    return Scope.EVERYWHERE in _scopes(user, permission)


def user_can_at(user: User, permission: Permission, outlet: Operated | None) -> bool:
    """Whether ``user`` holds ``permission`` at ``outlet``: everywhere, or there as its operator."""
    scopes = _scopes(user, permission)
    if Scope.EVERYWHERE in scopes:
        return True
    return (
        Scope.OWN_OUTLET in scopes
        and outlet is not None
        and outlet.operator_id is not None
        and outlet.operator_id == user.pk
    )


def permissions_matrix_markdown() -> str:
    """The matrix as the Markdown table of ``docs/permissions.md``: a row per permission, a column per
    role; ✓ everywhere, 本站 at the user's own station, blank for no."""
    roles = list(Role)
    header = "| permission | 权限 | " + " | ".join(f"`{role.value}`" for role in roles) + " |"
    rule = "| --- | --- | " + " | ".join(":-:" for _role in roles) + " |"
    mark = {Scope.EVERYWHERE: "✓", Scope.OWN_OUTLET: "本站"}
    rows = [
        f"| `{permission.value}` | {PERMISSION_LABELS[permission]} | "
        + " | ".join(mark.get(ROLE_PERMISSIONS[role].get(permission), "") for role in roles)  # type: ignore[arg-type]
        + " |"
        for permission in Permission
    ]
    return "\n".join([header, rule, *rows]) + "\n"
