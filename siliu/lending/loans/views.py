"""The borrower's pages: my loans and applications, apply (also by a station operator for a villager),
one loan with its schedule and repayments and what can be done with it, the contract PDF, and the
counter where a station operator takes a villager's cash for a loan."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from siliu.core.errors import DomainError, NotFound
from siliu.core.money import format_fen
from siliu.core.people import PersonMatch, people_search, person_get, person_match
from siliu.core.permissions import Permission, user_can, user_can_at
from siliu.finance.receipts import receipt_pdf
from siliu.finance.selectors import DrawerLine, counter_outlets, wallet_get
from siliu.lending.credit.selectors import consent_in_force
from siliu.lending.loans.contract import contract_pdf
from siliu.lending.loans.forms import ApplyForm, CounterRepayForm, DrawForm, RepayForm
from siliu.lending.loans.models import ApplicationStatus, Loan, LoanRepayment, LoanStatus, RepaymentSource
from siliu.lending.loans.selectors import (
    application_get_for,
    application_loan,
    applications_of,
    installment_rows,
    loan_get_for,
    loan_summary,
    loans_of,
    open_loans_of,
    repayments_of,
)
from siliu.lending.loans.services import (
    credit_line_draw,
    loan_application_file,
    loan_cancel,
    loan_repay_at_counter,
    loan_repay_from_wallet,
    loan_sign,
)
from siliu.lending.products import RepaymentMethod
from siliu.lending.selectors import loan_product_list
from siliu.network.models import Outlet

#: Which form field answers for a field the services name.
_FORM_FIELDS = {
    "product": "product",
    "amount_fen": "amount",
    "term_months": "term_months",
    "harvest_months": "harvest_months",
    "purpose": "purpose",
}


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("手机号、姓名或身份证号"), max_length=30)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _add_error(form: forms.Form, error: DomainError) -> None:
    field = _FORM_FIELDS.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _search(request: HttpRequest, user: AbstractBaseUser) -> tuple[PersonSearchForm, list[PersonMatch], str]:
    """The people search as on the consent page (masked; ``q`` in the query string)."""
    search = PersonSearchForm(request.GET) if "q" in request.GET else PersonSearchForm()
    matches: list[PersonMatch] = []
    error = ""
    if search.is_bound and search.is_valid():
        try:
            matches = people_search(query=search.cleaned_data["q"], actor=user)
        except DomainError as refused:
            error = refused.message
    return search, matches, error


def _person(value: str | None) -> User | None:
    text = value or ""
    return person_get(user_id=int(text)) if text.isdigit() and len(text) < 19 else None


@login_required
def home_page(request: HttpRequest) -> HttpResponse:
    """My loans (next due date and amount, principal left, days past due), my applications with their
    outcome and reasons, and the ways to apply, compare products and consent."""
    user = _user(request)
    today = timezone.localdate()
    loans = [loan_summary(loan, on=today) for loan in loans_of(borrower=user)]
    applications = list(applications_of(user=user)[:20])
    return render(
        request,
        "lending/loans/home.html",
        {
            "loans": loans,
            "applications": applications,
            "consent": consent_in_force(subject=user),
            "applies_for": user_can(user, Permission.LOAN_APPLY_FOR),
            "takes_cash": user_can(user, Permission.COUNTER_OPERATE),
        },
    )


@login_required
def apply_page(request: HttpRequest) -> HttpResponse:
    """Apply for a loan; a station operator (``loan.apply_for``) first finds the villager
    (``?person=<user_id>``) and files for them."""
    user = _user(request)
    products = list(loan_product_list())
    applies_for = user_can(user, Permission.LOAN_APPLY_FOR)
    data = request.POST if request.method == "POST" else None
    # Someone else named without loan.apply_for is refused by the service, never filed as oneself.
    person = _person((data or request.GET).get("person"))
    if (person is not None and person.pk == user.pk) or (data is None and not applies_for):
        person = None
    initial: dict[str, Any] = {"person": person.pk if person else None}
    if products:
        initial |= {"product": products[0].code, "term_months": products[0].term_months[0]}
    form = ApplyForm(data, products=products, initial=initial)
    if request.method == "POST" and form.is_valid():
        applicant = person or user
        try:
            application = loan_application_file(
                applicant=applicant,
                actor=user,
                product_code=form.cleaned_data["product"],
                amount_fen=form.cleaned_data["amount"],
                term_months=form.cleaned_data["term_months"],
                purpose=form.cleaned_data["purpose"],
                harvest_months=form.cleaned_data["harvest_months"],
            )
        except DomainError as error:
            _add_error(form, error)
            status = error.http_status
        else:
            return redirect("lending:application", number=application.number)
    else:
        status = 400 if form.is_bound else 200
    search, matches, search_error = _search(request, user) if applies_for else (None, [], "")
    return render(
        request,
        "lending/loans/apply.html",
        {
            "form": form,
            "products": products,
            "has_seasonal": any(p.method == RepaymentMethod.SEASONAL for p in products),
            "applies_for": applies_for,
            "person": person_match(person) if person else None,
            "person_consents": consent_in_force(subject=person or user) is not None,
            "search": search,
            "matches": matches,
            "search_error": search_error,
        },
        status=status,
    )


@login_required
def application_page(request: HttpRequest, number: str) -> HttpResponse:
    """An application's outcome: approved (with the contract to sign), waiting for review, or refused
    with the score's reasons and the officer's note."""
    user = _user(request)
    try:
        application = application_get_for(number=number, user=user)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(
        request,
        "lending/loans/application.html",
        {
            "application": application,
            "loan": application_loan(application),
            "waiting": application.status in (ApplicationStatus.REVIEW, ApplicationStatus.SECOND_REVIEW),
            "for_someone": application.applicant_id != application.filed_by_id,
        },
    )


def _loan(request: HttpRequest, number: str) -> Loan:
    try:
        return loan_get_for(number=number, user=request.user)
    except NotFound as error:
        raise Http404(error.message) from None


def _render_loan(
    request: HttpRequest,
    loan: Loan,
    *,
    repay_form: RepayForm | None = None,
    draw_form: DrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    summary = loan_summary(loan, on=today)
    is_borrower = user.pk == loan.borrower_id
    acts_for = is_borrower or user_can_at(user, Permission.LOAN_APPLY_FOR, loan.outlet)
    credit_line = loan.method == RepaymentMethod.CREDIT_LINE
    context = {
        "loan": loan,
        "summary": summary,
        "rows": installment_rows(loan, on=today),
        "repayments": list(repayments_of(loan)),
        "is_borrower": is_borrower,
        "can_sign": acts_for and loan.status == LoanStatus.CONTRACTED,
        "can_repay": is_borrower and loan.status == LoanStatus.ACTIVE,
        "can_draw": is_borrower and credit_line and loan.status == LoanStatus.ACTIVE,
        "credit_line": credit_line,
        "line_left_fen": loan.amount_fen - loan.principal_outstanding_fen,
        "wallet": wallet_get(user=user) if is_borrower else None,
        "repay_form": repay_form or RepayForm(),
        "draw_form": draw_form or DrawForm(),
        "sources": RepaymentSource,
    }
    return render(request, "lending/loans/loan.html", context, status=status)


@login_required
def loan_page(request: HttpRequest, number: str) -> HttpResponse:
    """One loan: terms, status, schedule, repayments, and what the viewer may do with it."""
    return _render_loan(request, _loan(request, number))


@login_required
@require_POST
def loan_sign_submit(request: HttpRequest, number: str) -> HttpResponse:
    loan = _loan(request, number)
    try:
        loan = loan_sign(number=loan.number, actor=_user(request))
    except DomainError as error:
        messages.error(request, error.message)
        return _render_loan(request, loan, status=error.http_status)
    messages.success(
        request,
        _("合同已签订。")
        + (
            _("授信已开通，可随时支用。")
            if loan.method == RepaymentMethod.CREDIT_LINE
            else _("%(amount)s 已放款到借款人的钱包。") % {"amount": format_fen(loan.amount_fen)}
        ),
    )
    return redirect("lending:loan", number=loan.number)


@login_required
@require_POST
def loan_cancel_submit(request: HttpRequest, number: str) -> HttpResponse:
    loan = _loan(request, number)
    try:
        loan_cancel(number=loan.number, actor=_user(request))
    except DomainError as error:
        messages.error(request, error.message)
        return _render_loan(request, loan, status=error.http_status)
    messages.success(request, _("已放弃签约，这笔贷款不会放款。"))
    return redirect("lending:home")


@login_required
@require_POST
def loan_repay_submit(request: HttpRequest, number: str) -> HttpResponse:
    loan = _loan(request, number)
    form = RepayForm(request.POST)
    if not form.is_valid():
        return _render_loan(request, loan, repay_form=form, status=400)
    try:
        repayment = loan_repay_from_wallet(
            number=loan.number,
            actor=_user(request),
            amount_fen=form.cleaned_data["amount"],
            early=form.cleaned_data["early"],
        )
    except DomainError as error:
        _add_error(form, error)
        loan.refresh_from_db()
        return _render_loan(request, loan, repay_form=form, status=error.http_status)
    messages.success(request, _repaid_text(repayment))
    return redirect("lending:loan", number=loan.number)


def _repaid_text(repayment: LoanRepayment) -> str:
    text = _("已还款 %(amount)s（罚息 %(penalty)s，利息 %(interest)s，本金 %(principal)s）。") % {
        "amount": format_fen(repayment.amount_fen),
        "penalty": format_fen(repayment.penalty_fen),
        "interest": format_fen(repayment.interest_fen),
        "principal": format_fen(repayment.principal_fen),
    }
    if repayment.loan.status == LoanStatus.CLOSED:
        text += _("贷款已全部结清。")
    return text


@login_required
@require_POST
def loan_draw_submit(request: HttpRequest, number: str) -> HttpResponse:
    loan = _loan(request, number)
    form = DrawForm(request.POST)
    if not form.is_valid():
        return _render_loan(request, loan, draw_form=form, status=400)
    try:
        credit_line_draw(number=loan.number, actor=_user(request), amount_fen=form.cleaned_data["amount"])
    except DomainError as error:
        _add_error(form, error)
        loan.refresh_from_db()
        return _render_loan(request, loan, draw_form=form, status=error.http_status)
    messages.success(
        request, _("已支用 %(amount)s，已到钱包。") % {"amount": format_fen(form.cleaned_data["amount"])}
    )
    return redirect("lending:loan", number=loan.number)


@login_required
def contract_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    """The contract as a PDF (before signing, with the schedule previewed from today)."""
    loan = _loan(request, number)
    response = HttpResponse(contract_pdf(loan=loan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="contract-{loan.number}.pdf"'
    return response


# ---------------------------------------------------------------------------------------------------
# The counter: a villager's cash for their loan


def _counter_outlets(request: HttpRequest) -> list[Outlet]:
    user = _user(request)
    if not user_can(user, Permission.COUNTER_OPERATE):
        raise PermissionDenied(_("只有站点柜台工作人员可以收取贷款现金还款"))
    return list(counter_outlets(user=user)[:200])


def _render_counter(
    request: HttpRequest,
    *,
    outlets: list[Outlet],
    form: CounterRepayForm | None = None,
    failed_loan: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    code = request.POST.get("outlet") or request.GET.get("outlet") or ""
    outlet = next((o for o in outlets if o.code == code), outlets[0] if outlets else None)
    person = _person(request.POST.get("person") or request.GET.get("person"))
    search, matches, search_error = _search(request, user)
    loans = [loan_summary(loan) for loan in open_loans_of(borrower=person)] if person else []
    repayment = None
    repayment_id = request.GET.get("repayment", "")
    if repayment_id.isdigit() and len(repayment_id) < 19 and outlet is not None:
        repayment = (
            LoanRepayment.objects.select_related("loan")
            .filter(pk=int(repayment_id), outlet=outlet, source=RepaymentSource.COUNTER_CASH)
            .first()
        )
    return render(
        request,
        "lending/loans/counter.html",
        {
            "outlets": outlets,
            "outlet": outlet,
            "person": person_match(person) if person else None,
            "person_id": person.pk if person else None,
            "search": search,
            "matches": matches,
            "search_error": search_error,
            "loans": loans,
            "form": form,
            "failed_loan": failed_loan,
            "repayment": repayment,
        },
        status=status,
    )


@login_required
def counter_page(request: HttpRequest) -> HttpResponse:
    """A station operator (``counter.operate``) finds a villager, sees their loans with what is due now
    and the payoff, and takes cash for one."""
    return _render_counter(request, outlets=_counter_outlets(request))


@login_required
@require_POST
def counter_repay_submit(request: HttpRequest) -> HttpResponse:
    outlets = _counter_outlets(request)
    form = CounterRepayForm(request.POST)
    if not form.is_valid():
        return _render_counter(
            request, outlets=outlets, form=form, failed_loan=request.POST.get("loan", ""), status=400
        )
    outlet = next((o for o in outlets if o.code == form.cleaned_data["outlet"]), None)
    if outlet is None:
        raise PermissionDenied(_("只能在自己的站点柜台收款"))
    try:
        repayment = loan_repay_at_counter(
            number=form.cleaned_data["loan"],
            actor=_user(request),
            outlet=outlet,
            amount_fen=form.cleaned_data["amount"],
            early=form.cleaned_data["early"],
        )
    except DomainError as error:
        _add_error(form, error)
        return _render_counter(
            request,
            outlets=outlets,
            form=form,
            failed_loan=form.cleaned_data["loan"],
            status=error.http_status,
        )
    person = request.POST.get("person", "")
    query = urlencode({"outlet": outlet.code, "person": person, "repayment": repayment.pk})
    return redirect(f"{reverse('lending:counter-repay')}?{query}")


@login_required
def counter_receipt_pdf(request: HttpRequest, repayment_id: int) -> HttpResponse:
    """The 58 mm receipt of one cash repayment (the counter's receipt, its three parts in one line)."""
    _counter_outlets(request)
    repayment = (
        LoanRepayment.objects.select_related("loan__borrower__profile", "outlet", "taken_by")
        .filter(pk=repayment_id, source=RepaymentSource.COUNTER_CASH)
        .first()
    )
    if repayment is None or repayment.outlet is None:
        raise Http404(_("没有这笔现金还款"))
    if not user_can_at(request.user, Permission.COUNTER_OPERATE, repayment.outlet):
        raise PermissionDenied(_("只能打印自己站点的回单"))
    match = person_match(repayment.loan.borrower)
    operator = repayment.taken_by
    line = DrawerLine(
        transfer_id=repayment.transfer_prefix,
        at=repayment.paid_at,
        kind=_("贷款现金还款"),
        cash_in=True,
        amount_fen=repayment.amount_fen,
        balance_fen=0,
        customer=" ".join(part for part in (match.name, match.phone) if part),
        detail=_("贷款 %(number)s：罚息 %(penalty)s，利息 %(interest)s，本金 %(principal)s")
        % {
            "number": repayment.loan.number,
            "penalty": format_fen(repayment.penalty_fen),
            "interest": format_fen(repayment.interest_fen),
            "principal": format_fen(repayment.principal_fen),
        },
        operator=(f"{operator.last_name}{operator.first_name}" or operator.get_username())
        if operator
        else "",
    )
    response = HttpResponse(receipt_pdf(outlet=repayment.outlet, line=line), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="loan-receipt.pdf"'
    return response
