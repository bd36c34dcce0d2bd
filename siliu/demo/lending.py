"""The demo county's loan products: five, one per repayment method, written without the random
generator (so the county's draws stay as they were)."""

from siliu.lending.models import LoanProduct, RepaymentMethod

#: (code, name, method, min yuan, max yuan, terms, annual rate bp, harvest months, description)
DEMO_LOAN_PRODUCTS: list[tuple[str, str, RepaymentMethod, int, int, list[int], int, list[int], str]] = [
    (
        "nonghu-xinyong",
        "农户小额信用贷",
        RepaymentMethod.EQUAL_INSTALLMENT,
        3_000,
        50_000,
        [6, 12, 24],
        720,
        [],
        "免抵押，凭信用额度申请，每月还款额相同。",
    ),
    (
        "hezuoshe-jingying",
        "合作社经营贷",
        RepaymentMethod.EQUAL_PRINCIPAL,
        50_000,
        500_000,
        [12, 24, 36],
        600,
        [],
        "面向农民专业合作社的经营周转，每月归还相同本金，利息逐月减少。",
    ),
    (
        "chungeng",
        "春耕贷",
        RepaymentMethod.SEASONAL,
        5_000,
        100_000,
        [12],
        650,
        [7, 8, 9, 10],
        "春耕买种买肥，按月付息，秋收的 7 至 10 月分期归还本金。",
    ),
    (
        "dianshang-zhouzhuan",
        "电商周转贷",
        RepaymentMethod.INTEREST_ONLY,
        10_000,
        200_000,
        [3, 6, 12],
        800,
        [],
        "网店备货周转，按月付息，到期一次还本。",
    ),
    (
        "suijie-suihuan",
        "随借随还授信",
        RepaymentMethod.CREDIT_LINE,
        1_000,
        30_000,
        [12],
        900,
        [],
        "一年授信额度内随用随借、随时归还，按实际用款天数计息。",
    ),
]


def demo_loan_products_create() -> list[LoanProduct]:
    """Create the demo county's loan products (penalty at 1.5 times the rate, three days' grace, 30 %
    of sales proceeds swept to repayment)."""
    return [
        LoanProduct.objects.create(
            code=code,
            name=name,
            description=description,
            method=method,
            min_amount_fen=low * 100,
            max_amount_fen=high * 100,
            term_months=terms,
            annual_rate_bp=rate_bp,
            penalty_rate_bp=rate_bp * 3 // 2,
            grace_days=3,
            sweep_share_bp=3000,
            harvest_months=harvest,
        )
        for code, name, method, low, high, terms, rate_bp, harvest, description in DEMO_LOAN_PRODUCTS
    ]
