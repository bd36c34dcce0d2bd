"""``siliu demo``: generate the deterministic demo county 示范县 in an empty database."""

import datetime
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.agency.pickups.services import demo_home_pickups
from siliu.appeals.demo import demo_appeals
from siliu.appeals.models import Message
from siliu.commerce.models import OrderStatus
from siliu.core.errors import DomainError
from siliu.demo.agency import (
    HISTORY_DAYS,
    demo_agency_catalogue_create,
    demo_agency_history,
    demo_agency_statements,
)
from siliu.demo.commerce_history import (
    DEFAULT_ORDER_COUNT,
    FIRST_TODAY,
    commerce_history_generate,
    history_window,
)
from siliu.demo.generator import (
    COUNTY_CODE,
    DEFAULT_SEED,
    DEFAULT_VILLAGE_COUNT,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    MAX_VILLAGE_COUNT,
    demo_consumer_fund,
    demo_county_generate,
    network_exists,
)
from siliu.demo.lending import demo_loan_products_create
from siliu.demo.lending_history import DEFAULT_LOAN_COUNT, lending_history_generate
from siliu.demo.rounds import DEMO_ROUND_SECONDS, demo_round_plan
from siliu.demo.station import demo_station_parcels
from siliu.demo.trace_opens import demo_trace_opens
from siliu.insight.facts.services import events_fold_all
from siliu.logistics.parcels.exceptions import parcel_exceptions_flag
from siliu.network.models import Region
from siliu.outreach.demo import demo_outreach


class Command(BaseCommand):
    help = (
        "生成确定性的示范县（乡镇、村、网点、道路、演示账号）。"
        " Generate the deterministic demo county (townships, villages, outlets, roads, demo logins)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"same seed, same county (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--villages",
            type=int,
            default=DEFAULT_VILLAGE_COUNT,
            help=f"villages, one station each, 1–{MAX_VILLAGE_COUNT} (default {DEFAULT_VILLAGE_COUNT})",
        )
        parser.add_argument(
            "--orders",
            type=int,
            default=DEFAULT_ORDER_COUNT,
            help=f"historical orders over the twelve months ending on --today, 0 to skip "
            f"(default {DEFAULT_ORDER_COUNT})",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help=f"YYYY-MM-DD, from {FIRST_TODAY:%Y-%m-%d}: the day the history ends on, at noon "
            "(default: today's local date, the history then ending now if that is earlier); "
            "the same seed and --today give the same demo",
        )
        parser.add_argument(
            "--loans",
            type=int,
            default=None,
            help=f"loan applications over the year, after the orders, 0 to skip "
            f"(default {DEFAULT_LOAN_COUNT} with {DEFAULT_ORDER_COUNT} orders, in proportion to --orders)",
        )
        parser.add_argument(
            "--round-seconds",
            type=int,
            default=DEMO_ROUND_SECONDS,
            help=f"solver seconds for today's rounds of the courier's township office, 0 to skip "
            f"(default {DEMO_ROUND_SECONDS})",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database already has outlets"
        )
        parser.add_argument("--force", action="store_true", help="generate even when DEBUG is off")

    def handle(
        self,
        *args: Any,
        seed: int,
        villages: int,
        orders: int,
        if_empty: bool,
        force: bool,
        today: datetime.date | None,
        loans: int | None,
        round_seconds: int,
        **options: Any,
    ) -> None:
        # Skipping writes nothing, so it is safe whatever DEBUG says; `make run` relies on it.
        if if_empty and network_exists():
            self.stdout.write(
                _(
                    "数据库中已有网点数据，不再生成示范县。"
                    " / The database already has data; the demo county is not generated."
                )
            )
            return
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "调试模式已关闭（SILIU_DEBUG=0），这可能是生产数据库，拒绝生成示范数据；"
                    "确需生成请加 --force。"
                    " / DEBUG is off (SILIU_DEBUG=0), so this may be a production database: refusing to "
                    "generate demo data. Pass --force if you really mean it."
                )
            )
        started = time.monotonic()
        try:
            window = (
                history_window(today=today)
                if today is not None
                else history_window(today=timezone.localdate(), now=timezone.now())
            )
            with transaction.atomic():
                summary = demo_county_generate(
                    seed=seed,
                    village_count=villages,
                    progress=self.stdout.write,
                    joined_at=window.catalog_start - datetime.timedelta(days=30),
                )
                demo_loan_products_create()
                demo_agency_catalogue_create(county=Region.objects.get(code=COUNTY_CODE))
                history = (
                    commerce_history_generate(
                        seed=seed, window=window, order_count=orders, progress=self.stdout.write
                    )
                    if orders
                    else None
                )
                if loans is None:
                    loans = DEFAULT_LOAN_COUNT * min(orders, DEFAULT_ORDER_COUNT) // DEFAULT_ORDER_COUNT
                lending = (
                    lending_history_generate(
                        seed=seed, window=window, loan_count=loans, progress=self.stdout.write
                    )
                    if history is not None and loans > 0
                    else None
                )
                agency = demo_agency_history(seed=seed, window=window) if history is not None else 0
                statements = demo_agency_statements(window=window) if agency else 0
                demo_station_parcels(now=window.end)
                pickups = demo_home_pickups(now=window.end)
                appeals = demo_appeals(now=window.end, seed=seed)
                exhibitions = demo_outreach(today=timezone.localdate(window.end), seed=seed)
                # The month's texts went out at the time: nothing waits in the outbox to print at start-up.
                Message.objects.filter(sent_at__isnull=True).update(
                    sent_at=F("created_at"), next_attempt_at=None
                )
                # Flag as the periodic sweep would at the demo's "now", so 异常邮件 has today's list.
                flagged = parcel_exceptions_flag(now=window.end)
                plan = demo_round_plan(window=window, seconds=round_seconds) if round_seconds else None
                demo_consumer_fund(now=window.end)
                # The information flow's figures, as its task keeps them: every event of the year folded in.
                demo_trace_opens(seed=seed, window=window)
                folded = events_fold_all(now=window.end)
        except DomainError as error:
            raise CommandError(error.message) from None
        elapsed = time.monotonic() - started

        lines = [
            self.style.SUCCESS(
                _("示范县已生成（种子 %(seed)d，用时 %(seconds).1f 秒）")
                % {"seed": summary.seed, "seconds": elapsed}
            ),
            _("  乡镇 %(townships)d · 村级服务站 %(stations)d · 网点合计 %(outlets)d")
            % {
                "townships": summary.township_count,
                "stations": summary.station_count,
                "outlets": summary.outlet_count,
            },
            _("  连线 %(links)d 条（每个方向各计一条）") % {"links": summary.link_count},
            _("  历史：%(start)s 至 %(end)s")
            % {"start": f"{window.start:%Y-%m-%d}", "end": f"{window.end:%Y-%m-%d %H:%M}"},
            _("  用户 %(users)d：消费者 %(consumers)d，卖家 %(sellers)d，站点运营员 %(operators)d")
            % {
                "users": summary.user_count,
                "consumers": summary.consumer_count,
                "sellers": summary.seller_count,
                "operators": summary.operator_count,
            },
            _("  演示账号（密码均为 %(password)s）：%(logins)s")
            % {"password": DEMO_PASSWORD, "logins": ", ".join(DEMO_LOGINS)},
            _("  另有站点运营员 op_<村代码>、消费者 c0001…、卖家 s0001…，密码相同"),
        ]
        lines.append(
            _("  异常邮件：长时间无扫描 %(no_scan)d，超过承诺时间 %(overdue)d")
            % {"no_scan": flagged["no_scan"], "overdue": flagged["overdue"]}
        )
        lines.append(
            _("  代理便民服务：近 %(days)d 天 %(count)d 笔（缴费、代发、助农取款）")
            % {"days": HISTORY_DAYS, "count": agency}
        )
        lines.append(_("  代理对账：已导入委托方对账单 %(count)d 份（昨日的待处理）") % {"count": statements})
        lines.append(_("  上门揽收：偏远村 %(count)d 个上门揽收请求（明后两天）") % {"count": len(pickups)})
        lines.append(
            _(
                "  群众诉求：近 30 天 %(filed)d 件，已办结评价 %(closed)d 件，"
                "超时升级 %(escalated)d 件；共性诉求在%(township)s"
            )
            % {
                "filed": appeals.filed,
                "closed": appeals.closed,
                "escalated": appeals.escalated,
                "township": appeals.pattern_township,
            }
        )
        lines.append(_("  邮票上的党史：一年来的展览和宣讲 %(count)d 场") % {"count": exhibitions})
        lines.append(_("  信息流：已计入业务事件 %(events)d 个") % {"events": folded})
        if plan is not None:
            lines.append(
                _("  今日投递班次：%(outlet)s %(day)s（%(status)s）")
                % {
                    "outlet": plan.outlet.code,
                    "day": plan.planned_on.isoformat(),
                    "status": plan.get_status_display(),
                }
            )
        if history is not None:
            lines.insert(
                4,
                _(
                    "  卖家 %(sellers)d · 商品 %(products)d · 溯源批次 %(batches)d"
                    " · 订单 %(orders)d（%(statuses)s）"
                )
                % {
                    "sellers": history.seller_count,
                    "products": history.product_count,
                    "batches": history.batch_count,
                    "orders": history.order_count,
                    "statuses": "，".join(
                        f"{OrderStatus(key).label} {value}" for key, value in history.status_counts.items()
                    ),
                },
            )
        if lending is not None:
            lines.append(
                _("  贷款申请 %(applications)d · 贷款 %(loans)s · %(statuses)s")
                % {
                    "applications": lending.application_count,
                    "loans": "，".join(
                        f"{key} {value}" for key, value in sorted(lending.loans_by_method.items())
                    ),
                    "statuses": "，".join(
                        f"{key} {value}" for key, value in sorted(lending.loans_by_status.items())
                    ),
                }
            )
            if lending.scorecard_version is not None:
                metrics = lending.metrics
                lines.append(
                    _("  评分卡 v%(version)d：AUC %(auc)s（基准 %(baseline)s），KS %(ks)s，Gini %(gini)s")
                    % {
                        "version": lending.scorecard_version,
                        "auc": metrics["auc"],
                        "baseline": metrics["baseline_auc"],
                        "ks": metrics["ks"],
                        "gini": metrics["gini"],
                    }
                )
        self.stdout.write("\n".join(lines))
