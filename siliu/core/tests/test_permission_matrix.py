"""The permission matrix, walked: every API endpoint and page, as every role, against the document.

``docs/permissions.md`` holds the matrix (role × permission) that :mod:`siliu.core.permissions` holds
in code; the first test keeps the two equal. :data:`GATES` says which permission guards each URL (or
that it is public, or needs only a login); the walk expects every role lacking that permission to be
refused (403, or a page's redirect to the login form) and every role holding it to be let through the
gate (whatever the request then meets: 200, a 400 for a bogus body, a 404 for a bogus code). A URL
missing from :data:`GATES` fails the coverage test, so a new endpoint cannot skip the matrix.

Where a permission holds only at the user's own station is checked on the object, in the services;
their tests cover it (counter cash, scans, parcels seen, rounds, villagers' orders).
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from siliu.commerce.models import Seller
from siliu.core.permissions import ROLE_PERMISSIONS, Permission, permissions_matrix_markdown
from siliu.core.roles import Role
from siliu.network.models import OutletKind
from siliu.network.tests.factories import OutletFactory

P = Permission
PUBLIC = "public"  # anyone, logged in or not
LOGIN = "login"  # any logged-in user, on what is theirs
SHOP = "shop"  # a user who owns a shop (a registered seller), on their shop

#: URL name → (method, path with bogus arguments, what guards it).
GATES: dict[str, list[tuple[str, str, Permission | str]]] = {
    "set_language": [("post", "/i18n/setlang/", PUBLIC)],
    "api:auth-token": [("post", "/api/v1/auth/token", PUBLIC)],
    "api:outlet-list": [("get", "/api/v1/outlets", PUBLIC)],
    "api:outlet-detail": [("get", "/api/v1/outlets/NOPE", PUBLIC)],
    "api:transfer-create": [("post", "/api/v1/transfers", P.LEDGER_POST)],
    "api:transfer-batch": [("post", "/api/v1/transfers/batch", P.LEDGER_POST)],
    "api:account-detail": [("get", "/api/v1/accounts/wallet:nobody", LOGIN)],
    "api:account-entries": [("get", "/api/v1/accounts/wallet:nobody/entries", LOGIN)],
    "api:wallet": [("get", "/api/v1/wallet", LOGIN)],
    "api:outlet-cash-in": [("post", "/api/v1/outlets/NOPE/cash-in", P.COUNTER_OPERATE)],
    "api:outlet-cash-out": [("post", "/api/v1/outlets/NOPE/cash-out", P.COUNTER_OPERATE)],
    "api:outlet-close-day": [("post", "/api/v1/outlets/NOPE/close-day", P.COUNTER_OPERATE)],
    "api:outlet-close-day-sign-off": [
        ("post", "/api/v1/outlets/NOPE/close-day/sign-off", P.COUNTER_SIGN_OFF)
    ],
    "api:counter-transactions": [("get", "/api/v1/outlets/NOPE/counter/transactions", P.COUNTER_OPERATE)],
    "api:people-search": [("get", "/api/v1/people?q=138", P.COUNTER_OPERATE)],
    "api:trial-balance": [("get", "/api/v1/ledger/trial-balance", P.LEDGER_READ)],
    "api:quote": [("post", "/api/v1/quotes", PUBLIC)],
    "api:parcel-create": [("get", "/api/v1/parcels", LOGIN), ("post", "/api/v1/parcels", LOGIN)],
    "api:parcel-detail": [("get", "/api/v1/parcels/EA000000005CN", LOGIN)],
    "api:parcel-cancel": [("post", "/api/v1/parcels/EA000000005CN/cancel", LOGIN)],
    "api:parcel-events": [("get", "/api/v1/parcels/EA000000005CN/events", PUBLIC)],
    "api:parcel-label": [("get", "/api/v1/parcels/EA000000005CN/label.pdf", LOGIN)],
    "api:scans": [("post", "/api/v1/scans", P.PARCEL_SCAN)],
    "api:parcel-exceptions": [("get", "/api/v1/logistics/exceptions", P.EXCEPTION_READ)],
    "api:station-handovers": [("post", "/api/v1/station/handovers", P.STATION_OPERATE)],
    "api:station-acceptances": [("post", "/api/v1/station/acceptances", P.STATION_OPERATE)],
    "api:home-pickups": [("get", "/api/v1/pickups", LOGIN), ("post", "/api/v1/pickups", LOGIN)],
    "api:home-pickup-quote": [("post", "/api/v1/pickups/quote", LOGIN)],
    "api:home-pickup-cancel": [("post", "/api/v1/pickups/SM0/cancel", LOGIN)],
    "api:exception-case": [
        ("get", "/api/v1/logistics/exceptions/NOPE/case", P.EXCEPTION_READ),
        ("post", "/api/v1/logistics/exceptions/NOPE/case", P.EXCEPTION_HANDLE),
    ],
    "api:round-plan": [("post", "/api/v1/rounds/plan", P.ROUND_PLAN)],
    "api:round-detail": [("get", "/api/v1/rounds/999999", P.ROUND_READ)],
    "api:rounds-today": [("get", "/api/v1/rounds/today", P.ROUND_READ)],
    "api:credit-consent": [
        ("get", "/api/v1/credit/consent", LOGIN),
        ("post", "/api/v1/credit/consent", LOGIN),
    ],
    "api:credit-score": [("get", "/api/v1/credit/score", LOGIN)],
    "api:loan-application-list": [
        ("get", "/api/v1/loan-applications", LOGIN),
        ("post", "/api/v1/loan-applications", LOGIN),
    ],
    "api:loan-application-detail": [("get", "/api/v1/loan-applications/NOPE", LOGIN)],
    "api:loan-list": [("get", "/api/v1/loans", LOGIN)],
    "api:loan-detail": [("get", "/api/v1/loans/NOPE", LOGIN)],
    "api:loan-sign": [("post", "/api/v1/loans/NOPE/sign", LOGIN)],
    "api:loan-cancel": [("post", "/api/v1/loans/NOPE/cancel", LOGIN)],
    "api:loan-repay": [("post", "/api/v1/loans/NOPE/repay", LOGIN)],
    "api:loan-draw": [("post", "/api/v1/loans/NOPE/draw", LOGIN)],
    "api:loan-payoff": [("get", "/api/v1/loans/NOPE/payoff", LOGIN)],
    "api:loan-counter-repayments": [("post", "/api/v1/loans/NOPE/counter-repayments", P.COUNTER_OPERATE)],
    "api:credit-model": [("get", "/api/v1/credit/model", P.CREDIT_READ)],
    "api:credit-visits": [("post", "/api/v1/credit/visits", P.CREDIT_VISIT)],
    "api:claim-list": [("get", "/api/v1/claims", LOGIN), ("post", "/api/v1/claims", LOGIN)],
    "api:claim-detail": [("get", "/api/v1/claims/999999", LOGIN)],
    "api:claim-decide": [("post", "/api/v1/claims/999999/decide", P.CLAIM_DECIDE)],
    "api:claim-pay": [("post", "/api/v1/claims/999999/pay", P.CLAIM_DECIDE)],
    "api:partner-list": [
        ("get", "/api/v1/partners", P.PARTNER_READ),
        ("post", "/api/v1/partners", P.PARTNER_MANAGE),
    ],
    "api:partner-detail": [
        ("get", "/api/v1/partners/nope", P.PARTNER_READ),
        ("patch", "/api/v1/partners/nope", P.PARTNER_MANAGE),
    ],
    "api:partner-secret": [("post", "/api/v1/partners/nope/secret", P.PARTNER_MANAGE)],
    "api:partner-manifests": [("post", "/api/v1/partners/nope/manifests", P.PARTNER_MANAGE)],
    "api:partner-statement-csv": [("get", "/api/v1/partners/nope/statements/2026-11.csv", P.PARTNER_READ)],
    "api:partner-statement": [("get", "/api/v1/partners/nope/statements/2026-11", P.PARTNER_READ)],
    "api:product-list": [("get", "/api/v1/products", PUBLIC), ("post", "/api/v1/products", LOGIN)],
    "api:product-detail": [("get", "/api/v1/products/999999", PUBLIC)],
    "api:seller-register": [("post", "/api/v1/sellers", LOGIN)],
    "api:seller-verify": [("post", "/api/v1/sellers/999999/verify", P.SELLER_VERIFY)],
    "api:trace": [("get", "/api/v1/trace/NOPE", PUBLIC)],
    "api:order-create": [("post", "/api/v1/orders", LOGIN)],
    "api:order-detail": [("get", "/api/v1/orders/SO0", LOGIN)],
    "api:order-quote": [("post", "/api/v1/orders/quote", LOGIN)],
    "api:address-list": [("get", "/api/v1/addresses", LOGIN), ("post", "/api/v1/addresses", LOGIN)],
    "api:address-detail": [
        ("put", "/api/v1/addresses/999999", LOGIN),
        ("delete", "/api/v1/addresses/999999", LOGIN),
    ],
    "api:order-cancel": [("post", "/api/v1/orders/SO0/cancel", LOGIN)],
    "api:order-confirm": [("post", "/api/v1/orders/SO0/confirm", LOGIN)],
    "api:seller-orders": [("get", "/api/v1/seller/orders", SHOP)],
    "api:seller-settlements": [("get", "/api/v1/seller/settlements", SHOP)],
    "api:seller-money": [("get", "/api/v1/seller/money", SHOP)],
    "api:seller-payouts": [("get", "/api/v1/seller/payouts", SHOP), ("post", "/api/v1/seller/payouts", SHOP)],
    "api:payout-decide": [("post", "/api/v1/payouts/999999/decide", P.PAYOUT_PAY)],
    "api:product-photos": [("post", "/api/v1/products/999999/photos", LOGIN)],
    "api:loan-schedule": [("post", "/api/v1/loans/schedule", LOGIN)],
    "api:loan-product-list": [("get", "/api/v1/loan-products", LOGIN)],
    "api:loan-review-queue": [("get", "/api/v1/loan-applications/review-queue", P.LOAN_REVIEW)],
    "api:loan-application-review": [("post", "/api/v1/loan-applications/NOPE/review", P.LOAN_REVIEW)],
    "api:loan-application-approve": [("post", "/api/v1/loan-applications/NOPE/approve", P.LOAN_APPROVE)],
    "api:lending-portfolio": [("get", "/api/v1/lending/portfolio", P.LOAN_READ)],
    "api:lending-collections": [("get", "/api/v1/lending/collections", P.LOAN_READ)],
    "api:insight-summary": [("get", "/api/v1/insight/summary", P.INSIGHT_READ)],
    "api:loan-notes": [("post", "/api/v1/loans/NOPE/notes", P.LOAN_COLLECT)],
    "api:loan-write-off": [("post", "/api/v1/loans/NOPE/write-off", P.LOAN_WRITE_OFF)],
    "api:appeal-list": [("get", "/api/v1/appeals", LOGIN), ("post", "/api/v1/appeals", PUBLIC)],
    "api:appeal-codes": [("post", "/api/v1/appeals/codes", PUBLIC)],
    "api:appeal-counter": [("post", "/api/v1/appeals/counter", P.APPEAL_FILE_FOR)],
    "api:appeal-queue": [("get", "/api/v1/appeals/queue", P.APPEAL_READ)],
    "api:appeal-detail": [("get", "/api/v1/appeals/999999", LOGIN)],
    "api:appeal-acknowledge": [("post", "/api/v1/appeals/999999/acknowledge", P.APPEAL_HANDLE)],
    "api:appeal-resolve": [("post", "/api/v1/appeals/999999/resolve", P.APPEAL_HANDLE)],
    # The requester: logged in, or with the token of their link.
    "api:appeal-rate": [("post", "/api/v1/appeals/999999/rate", PUBLIC)],
    "api:appeal-patterns": [("get", "/api/v1/appeals/patterns", P.APPEAL_MANAGE)],
    "api:outreach-stamps": [("get", "/api/v1/outreach/stamps", PUBLIC)],
    "api:outreach-coverage": [("get", "/api/v1/outreach/coverage", PUBLIC)],
    "api:outreach-requests": [("post", "/api/v1/outreach/requests", PUBLIC)],
    "api:outreach-exhibitions": [
        ("get", "/api/v1/outreach/exhibitions", P.OUTREACH_READ),
        ("post", "/api/v1/outreach/exhibitions", P.OUTREACH_MANAGE),
    ],
    "api:outreach-exhibition": [("get", "/api/v1/outreach/exhibitions/999999", P.OUTREACH_READ)],
    "api:outreach-exhibition-plan": [("post", "/api/v1/outreach/exhibitions/999999/plan", P.OUTREACH_MANAGE)],
    "api:outreach-exhibition-hold": [("post", "/api/v1/outreach/exhibitions/999999/hold", P.OUTREACH_MANAGE)],
    "api:outreach-exhibition-cancel": [
        ("post", "/api/v1/outreach/exhibitions/999999/cancel", P.OUTREACH_MANAGE)
    ],
    "schema": [("get", "/api/schema/", PUBLIC)],
    "swagger-ui": [("get", "/api/docs/", PUBLIC)],
    "core:home": [("get", "/", PUBLIC)],
    "core:login": [("get", "/login/", PUBLIC)],
    "core:logout": [("post", "/logout/", PUBLIC)],
    "core:healthz": [("get", "/healthz", PUBLIC)],
    "core:elderly-mode": [("post", "/preferences/elderly-mode", PUBLIC)],
    "network:outlet-list": [("get", "/network/outlets/", PUBLIC)],
    "network:outlet-detail": [("get", "/network/outlets/NOPE/", PUBLIC)],
    "network:map": [("get", "/network/map/", PUBLIC)],
    "finance:wallet": [("get", "/finance/wallet/", LOGIN)],
    "finance:counter-index": [("get", "/finance/counter/", P.COUNTER_OPERATE)],
    "finance:counter": [("get", "/finance/counter/NOPE/", LOGIN)],
    "finance:counter-cash": [("post", "/finance/counter/NOPE/cash/", LOGIN)],
    "finance:counter-close": [("post", "/finance/counter/NOPE/close/", LOGIN)],
    "finance:counter-receipt": [("get", "/finance/counter/NOPE/receipts/x.pdf", LOGIN)],
    "finance:day-close-report": [("get", "/finance/counter/NOPE/closes/2026-01-01.pdf", LOGIN)],
    "finance:day-close-sign-off": [("post", "/finance/counter/NOPE/closes/2026-01-01/sign-off/", LOGIN)],
    "finance:day-close-sign-offs": [("get", "/finance/counter/sign-offs/", P.COUNTER_SIGN_OFF)],
    "finance:trial-balance": [("get", "/finance/trial-balance/", P.LEDGER_READ)],
    "logistics:parcel-new": [("get", "/logistics/parcels/new/", LOGIN)],
    "logistics:parcel-detail": [("get", "/logistics/parcels/EA000000005CN/", LOGIN)],
    "logistics:exceptions": [("get", "/logistics/exceptions/", P.EXCEPTION_READ)],
    "logistics:station": [("get", "/logistics/station/", P.STATION_OPERATE)],
    "logistics:station-handover": [("get", "/logistics/station/handover/", P.STATION_OPERATE)],
    "logistics:station-accept": [("get", "/logistics/station/accept/", P.STATION_OPERATE)],
    "logistics:station-slip": [("get", "/logistics/station/slips/EA000000005CN.pdf", P.STATION_OPERATE)],
    "logistics:exception-act": [("post", "/logistics/exceptions/NOPE/", P.EXCEPTION_HANDLE)],
    "logistics:rounds": [
        ("get", "/logistics/rounds/", P.ROUND_READ),
        ("post", "/logistics/rounds/", P.ROUND_PLAN),
    ],
    "logistics:rounds-today": [("get", "/logistics/rounds/today/", P.ROUND_READ)],
    "logistics:rounds-sw": [("get", "/logistics/rounds/sw.js", PUBLIC)],
    "logistics:round-plan": [("get", "/logistics/rounds/999999/", P.ROUND_READ)],
    "logistics:round-plan-status": [("get", "/logistics/rounds/999999/status/", P.ROUND_READ)],
    "logistics:round-sheets": [("get", "/logistics/rounds/999999/sheets.pdf", P.ROUND_READ)],
    "logistics:round-depart": [("post", "/logistics/rounds/999999/routes/1/depart/", P.ROUND_SCAN)],
    "logistics:round-arrive": [("post", "/logistics/rounds/999999/routes/1/stops/1/arrive/", P.ROUND_SCAN)],
    "lending:credit-consent": [("get", "/lending/consent/", LOGIN)],
    "lending:credit-score": [("get", "/lending/credit/", LOGIN)],
    "lending:credit-model": [("get", "/lending/credit/model/", P.CREDIT_READ)],
    "lending:credit-borrowers": [("get", "/lending/credit/borrowers/", P.CREDIT_READ)],
    "lending:credit-borrower": [("get", "/lending/credit/borrowers/999999/", P.CREDIT_READ)],
    "lending:credit-visit": [("get", "/lending/visits/new/?person=999999", P.CREDIT_VISIT)],
    "logistics:claim-list": [("get", "/logistics/claims/", LOGIN)],
    "logistics:claim-new": [("get", "/logistics/claims/new/", LOGIN)],
    "logistics:claim-review": [("get", "/logistics/claims/review/", P.CLAIM_READ)],
    "logistics:claim-detail": [("get", "/logistics/claims/999999/", LOGIN)],
    "logistics:claim-decide": [("post", "/logistics/claims/999999/decide/", P.CLAIM_DECIDE)],
    "logistics:claim-pay": [("post", "/logistics/claims/999999/pay/", P.CLAIM_DECIDE)],
    "logistics:partner-list": [("get", "/logistics/partners/", P.PARTNER_READ)],
    "logistics:partner-new": [("get", "/logistics/partners/new/", P.PARTNER_MANAGE)],
    "logistics:partner-edit": [("get", "/logistics/partners/nope/edit/", P.PARTNER_MANAGE)],
    "logistics:partner-secret-rotate": [("post", "/logistics/partners/nope/secret/", P.PARTNER_MANAGE)],
    "logistics:partner-manifest-upload": [
        ("get", "/logistics/partners/nope/manifests/new/", P.PARTNER_MANAGE)
    ],
    "logistics:partner-statement-csv": [
        ("get", "/logistics/partners/nope/statements/2026-11.csv", P.PARTNER_READ)
    ],
    "logistics:partner-statement-xlsx": [
        ("get", "/logistics/partners/nope/statements/2026-11.xlsx", P.PARTNER_READ)
    ],
    "logistics:partner-statement": [("get", "/logistics/partners/nope/statements/2026-11/", P.PARTNER_READ)],
    "shop:list": [("get", "/shop/", PUBLIC)],
    "shop:product": [("get", "/shop/products/999999/", PUBLIC)],
    "shop:seller-register": [("get", "/shop/sellers/register/", LOGIN)],
    "shop:seller-review": [("get", "/shop/sellers/review/", P.SELLER_READ)],
    "shop:seller-verify": [("post", "/shop/sellers/999999/verify/", P.SELLER_VERIFY)],
    "shop:seller-products": [("get", "/shop/seller/products/", SHOP)],
    "shop:seller-product-create": [("get", "/shop/seller/products/new/", SHOP)],
    "shop:seller-product": [("get", "/shop/seller/products/999999/", LOGIN)],
    "shop:seller-product-active": [("post", "/shop/seller/products/999999/active/", LOGIN)],
    "shop:seller-product-photo": [("post", "/shop/seller/products/999999/photos/", LOGIN)],
    "shop:seller-product-photo-arrange": [("post", "/shop/seller/products/999999/photos/0/", LOGIN)],
    "trace:batch-create": [("post", "/t/batches/new/999999", LOGIN)],
    "orders:cart": [("get", "/shop/cart/", PUBLIC)],
    "orders:cart-add": [("post", "/shop/cart/add/", PUBLIC)],
    "orders:cart-remove": [("post", "/shop/cart/remove/", PUBLIC)],
    "orders:checkout": [("post", "/shop/checkout/", LOGIN)],
    "orders:orders": [("get", "/shop/orders/", LOGIN)],
    "orders:addresses": [("get", "/shop/addresses/", LOGIN)],
    "orders:address-edit": [("get", "/shop/addresses/999999/", LOGIN)],
    "orders:address-delete": [("post", "/shop/addresses/999999/delete/", LOGIN)],
    "orders:address-default": [("post", "/shop/addresses/999999/default/", LOGIN)],
    "orders:order": [("get", "/shop/orders/SO0/", LOGIN)],
    "orders:order-confirm": [("post", "/shop/orders/SO0/confirm/", LOGIN)],
    "orders:order-cancel": [("post", "/shop/orders/SO0/cancel/", LOGIN)],
    # Without a shop, the seller centre says so and links registration.
    "orders:seller-dashboard": [("get", "/shop/seller/", LOGIN)],
    "orders:seller-payouts": [("get", "/shop/seller/payouts/", SHOP)],
    "orders:seller-statement": [("get", "/shop/seller/statement.xlsx?month=2026-11", SHOP)],
    "orders:payouts": [("get", "/shop/payouts/", P.PAYOUT_PAY)],
    "orders:payout-decide": [("post", "/shop/payouts/999999/decide/", P.PAYOUT_PAY)],
    "orders:counter-order": [("get", "/shop/counter/", P.ORDER_FOR_VILLAGER)],
    "lending:products": [("get", "/lending/products/", LOGIN)],
    "lending:calculator": [("get", "/lending/calculator/", LOGIN)],
    "lending:home": [("get", "/lending/", LOGIN)],
    "lending:apply": [("get", "/lending/apply/", LOGIN), ("post", "/lending/apply/", LOGIN)],
    "lending:application": [("get", "/lending/applications/NOPE/", LOGIN)],
    "lending:loan": [("get", "/lending/loans/NOPE/", LOGIN)],
    "lending:loan-sign": [("post", "/lending/loans/NOPE/sign/", LOGIN)],
    "lending:loan-cancel": [("post", "/lending/loans/NOPE/cancel/", LOGIN)],
    "lending:loan-repay": [("post", "/lending/loans/NOPE/repay/", LOGIN)],
    "lending:loan-draw": [("post", "/lending/loans/NOPE/draw/", LOGIN)],
    "lending:loan-contract": [("get", "/lending/loans/NOPE/contract.pdf", LOGIN)],
    "lending:counter-repay": [("get", "/lending/counter/", P.COUNTER_OPERATE)],
    "lending:counter-repay-submit": [("post", "/lending/counter/repay/", P.COUNTER_OPERATE)],
    "lending:counter-repay-receipt": [("get", "/lending/counter/receipts/999999.pdf", P.COUNTER_OPERATE)],
    "lending:review": [("get", "/lending/review/", P.LOAN_REVIEW)],
    "lending:review-decide": [
        ("get", "/lending/review/NOPE/", P.LOAN_REVIEW),
        ("post", "/lending/review/NOPE/", P.LOAN_REVIEW),
    ],
    "lending:approvals": [("get", "/lending/approvals/", P.LOAN_APPROVE)],
    "lending:approval-decide": [
        ("get", "/lending/approvals/NOPE/", P.LOAN_APPROVE),
        ("post", "/lending/approvals/NOPE/", P.LOAN_APPROVE),
    ],
    "lending:portfolio": [("get", "/lending/portfolio/", P.LOAN_READ)],
    "lending:collections": [("get", "/lending/collections/", P.LOAN_READ)],
    "lending:collection": [
        ("get", "/lending/collections/NOPE/", P.LOAN_READ),
        ("post", "/lending/collections/NOPE/", P.LOAN_COLLECT),
    ],
    "lending:write-off": [
        ("get", "/lending/collections/NOPE/write-off/", P.LOAN_WRITE_OFF),
        ("post", "/lending/collections/NOPE/write-off/", P.LOAN_WRITE_OFF),
    ],
    "insight:dashboard": [("get", "/insight/", P.INSIGHT_READ)],
    "agency:pickups": [("get", "/agency/pickups/", LOGIN), ("post", "/agency/pickups/", LOGIN)],
    # A county manager with no post, an auditor: the page says which stations, or none.
    "agency:pickups-station": [("get", "/agency/pickups/station/", P.PICKUP_READ)],
    "agency:pickup-new-for": [("get", "/agency/pickups/station/new/", P.PICKUP_REQUEST_FOR)],
    "agency:pickup-cancel": [("post", "/agency/pickups/SM0/cancel/", LOGIN)],
    "agency:pickup-missed": [("post", "/agency/pickups/SM0/missed/", P.PICKUP_REQUEST_FOR)],
    "insight:export-csv": [("get", "/insight/export.csv", P.INSIGHT_READ)],
    "insight:export-xlsx": [("get", "/insight/export.xlsx", P.INSIGHT_READ)],
    "county": [("get", "/county/", PUBLIC)],
    # People's requests: anyone files (without an account, with a phone code); the link in the messages
    # is the requester's page.
    "appeals:new": [("get", "/appeals/new/", PUBLIC)],
    "appeals:mine": [("get", "/appeals/", LOGIN)],
    "appeals:counter": [("get", "/appeals/counter/", P.APPEAL_FILE_FOR)],
    "appeals:queue": [("get", "/appeals/handle/", P.APPEAL_READ)],
    "appeals:detail": [("get", "/appeals/999999/", LOGIN)],
    "appeals:handle": [("post", "/appeals/999999/handle/", P.APPEAL_HANDLE)],
    "appeals:requester-act": [("post", "/appeals/999999/requester/", LOGIN)],
    "appeals:by-token": [("get", "/appeals/r/NOPE/", PUBLIC)],
    "appeals:patterns": [("get", "/appeals/patterns/", P.APPEAL_MANAGE)],
    "appeals:pattern-take": [("post", "/appeals/patterns/take/", P.APPEAL_MANAGE)],
    "appeals:job": [("get", "/appeals/jobs/999999/", P.APPEAL_MANAGE)],
    "appeals:monthly": [("get", "/appeals/monthly/", PUBLIC)],
    # Stamp exhibitions: the public face, the request form (anyone), the county's pages.
    "outreach:home": [("get", "/outreach/", PUBLIC)],
    "outreach:coverage": [("get", "/outreach/coverage/", PUBLIC)],
    "outreach:stamps": [("get", "/outreach/stamps/", PUBLIC)],
    "outreach:stamp-new": [("get", "/outreach/stamps/new/", P.OUTREACH_MANAGE)],
    "outreach:request": [("get", "/outreach/request/", PUBLIC), ("post", "/outreach/request/", PUBLIC)],
    "outreach:exhibitions": [("get", "/outreach/exhibitions/", P.OUTREACH_READ)],
    "outreach:exhibition-new": [("get", "/outreach/exhibitions/new/", P.OUTREACH_MANAGE)],
    "outreach:exhibition": [("get", "/outreach/exhibitions/999999/", P.OUTREACH_READ)],
    "outreach:exhibition-plan": [("post", "/outreach/exhibitions/999999/plan/", P.OUTREACH_MANAGE)],
    "outreach:exhibition-hold": [("post", "/outreach/exhibitions/999999/hold/", P.OUTREACH_MANAGE)],
    "outreach:exhibition-cancel": [("post", "/outreach/exhibitions/999999/cancel/", P.OUTREACH_MANAGE)],
    "outreach:exhibition-photo": [("post", "/outreach/exhibitions/999999/photos/", P.OUTREACH_MANAGE)],
    "trace:qr": [("get", "/t/NOPE/qr.svg", PUBLIC)],
    "trace:batch": [("get", "/t/NOPE", PUBLIC)],
    "trace:parcel": [("get", "/t/NOPE/EA000000005CN", PUBLIC)],
    "track-search": [("get", "/track/", PUBLIC)],
    "track": [("get", "/track/EA000000005CN", PUBLIC)],
    # Insight: a seller's profile and the win-win scorecard.
    # Without a shop, 经营概况 says so.
    "insight:profile-me": [("get", "/insight/me/", LOGIN)],
    # seller.read (county managers, auditors) or credit.read with the seller's consent (loan officers):
    # the roles that hold loan.read; the seller's own user is checked on the object.
    "insight:seller-profile": [("get", "/insight/sellers/999999/", P.LOAN_READ)],
    "insight:profile-me-export": [("get", "/insight/me/export.csv", LOGIN)],
    "insight:seller-profile-export": [("get", "/insight/sellers/999999/export.xlsx", P.LOAN_READ)],
    "insight:scorecard": [("get", "/insight/scorecard/", P.INSIGHT_READ)],
    "insight:scorecard-export-xlsx": [("get", "/insight/scorecard/export.xlsx", P.INSIGHT_READ)],
    "insight:scorecard-export-csv": [("get", "/insight/scorecard/export.csv", P.INSIGHT_READ)],
    "insight:scorecard-report-month": [
        ("get", "/insight/scorecard/report.pdf?month=2026-11", P.INSIGHT_READ)
    ],
    "insight:scorecard-report": [("get", "/insight/scorecard/report-2026-11.pdf", P.INSIGHT_READ)],
    # Agency at the counter: the outlet's own check answers 404 for an outlet that does not exist.
    "agency:index": [("get", "/agency/", P.AGENCY_OPERATE)],
    "agency:counter": [("get", "/agency/counter/NOPE/", LOGIN)],
    "agency:counter-submit": [("post", "/agency/counter/NOPE/submit", LOGIN)],
    "agency:transaction": [("get", "/agency/counter/NOPE/t/AG0/", LOGIN)],
    "agency:receipt": [("get", "/agency/counter/NOPE/t/AG0/receipt.pdf", LOGIN)],
    "agency:reverse": [("post", "/agency/counter/NOPE/t/AG0/reverse", LOGIN)],
    "api:agency-outlet-services": [("get", "/api/v1/agency/outlets/NOPE/services", LOGIN)],
    "api:agency-transactions": [("post", "/api/v1/agency/transactions", LOGIN)],
    "api:agency-transaction": [("get", "/api/v1/agency/transactions/AG0", LOGIN)],
    "api:agency-transaction-reverse": [("post", "/api/v1/agency/transactions/AG0/reverse", LOGIN)],
    # Reconciliation: reading (county managers, auditors, finance) and reconciling (county managers and
    # finance); where it holds (the provider's county) is checked on the provider: 404 for NOPE.
    "agency:reconciliation": [("get", "/agency/reconciliation/", P.AGENCY_READ)],
    "agency:reconciliation-provider": [("get", "/agency/reconciliation/NOPE/", P.AGENCY_READ)],
    "agency:reconciliation-import": [("post", "/agency/reconciliation/NOPE/import", P.AGENCY_RECONCILE)],
    "agency:reconciliation-statement": [("get", "/agency/reconciliation/statements/999999/", P.AGENCY_READ)],
    "agency:reconciliation-settle": [
        ("post", "/agency/reconciliation/statements/999999/settle", P.AGENCY_RECONCILE)
    ],
    "agency:reconciliation-resolve": [
        ("post", "/agency/reconciliation/mismatches/999999/resolve", P.AGENCY_RECONCILE)
    ],
    "api:agency-statements": [("post", "/api/v1/agency/providers/NOPE/statements", P.AGENCY_RECONCILE)],
    "api:agency-statement": [("get", "/api/v1/agency/providers/NOPE/statements/999999", P.AGENCY_READ)],
    "api:agency-statement-settle": [
        ("post", "/api/v1/agency/providers/NOPE/statements/999999/settle", P.AGENCY_RECONCILE)
    ],
    "api:agency-mismatch-resolve": [
        ("post", "/api/v1/agency/providers/NOPE/mismatches/999999/resolve", P.AGENCY_RECONCILE)
    ],
}

#: Who walks: one user per role (holding that role alone), staff status alone, and nobody.
WALKERS: list[str] = [role.value for role in Role] + ["staff", "anonymous"]


def _url_names(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            yield from _url_names(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_the_document_holds_the_matrix_in_the_code() -> None:
    """``docs/permissions.md`` shows exactly the matrix :mod:`siliu.core.permissions` enforces."""
    document = (Path(__file__).resolve().parents[3] / "docs" / "permissions.md").read_text()
    table = re.search(r"<!-- matrix -->\n(.*?)<!-- /matrix -->", document, re.S)
    assert table is not None, "docs/permissions.md lost its <!-- matrix --> markers"
    assert table.group(1) == permissions_matrix_markdown()


def test_every_url_is_in_the_walk() -> None:
    """Every named URL of the site (but Django's admin) has its gate in :data:`GATES`."""
    assert sorted(set(_url_names(get_resolver()))) == sorted(GATES)


@pytest.fixture
def walker(db: None, make_user: Callable[..., User]) -> Callable[[str], Client]:
    """``walker("station_operator")`` → a client logged in as a user with that role alone (the
    operator runs a village station with a cash counter), ``staff`` (is_staff only) or anonymous."""

    def login(who: str) -> Client:
        client = Client()
        if who == "anonymous":
            return client
        user = make_user(is_staff=True) if who == "staff" else make_user(Role(who))
        if who == Role.STATION_OPERATOR:
            OutletFactory.create(kind=OutletKind.VILLAGE_STATION, operator=user, has_cash_counter=True)
        client.force_login(user)
        return client

    return login


def _refused(response: Any, path: str) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", WALKERS)
def test_walk_the_matrix(who: str, walker: Callable[[str], Client]) -> None:
    """Every gate refuses exactly the roles the matrix denies it, and lets the others through."""
    client = walker(who)
    user = client.session.get("_auth_user_id")
    actor = User.objects.get(pk=user) if user else None
    wrong: list[str] = []
    # Logging out ends the walk.
    for name, requests in sorted(GATES.items(), key=lambda item: item[0] == "core:logout"):
        for method, path, gate in requests:
            cache.clear()  # the public rate limit is not what is walked here
            response = getattr(client, method)(
                path, content_type="application/json", data={} if method == "post" else None
            )
            assert response.status_code < 500, f"{who} {method.upper()} {path} → {response.status_code}"
            if gate == PUBLIC:
                allowed = True
            elif gate == LOGIN:
                allowed = actor is not None
            elif gate == SHOP:
                allowed = actor is not None and Seller.objects.filter(user=actor).exists()
            else:
                assert isinstance(gate, Permission)
                # Read off the matrix itself, not through user_can, which the gates use too.
                allowed = who in {role.value for role, held in ROLE_PERMISSIONS.items() if gate in held}
            if allowed == _refused(response, path):
                expected = "through" if allowed else "refused"
                wrong.append(f"{name} {method.upper()} {path}: {response.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)
