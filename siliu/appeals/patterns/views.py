"""共性诉求: the county manager's recurring needs, each with its requests, taken as one job; the jobs,
and one job resolved with one note."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siliu.appeals.patterns.selectors import (
    MIN_COUNT,
    WINDOW_DAYS,
    assignee_choices,
    job_appeals,
    job_get,
    job_list,
    pattern_list,
)
from siliu.appeals.patterns.services import job_resolve, pattern_take
from siliu.appeals.requests.services import NOTE_MAX_LENGTH
from siliu.core.errors import DomainError, NotFound, PermissionRefused
from siliu.core.permissions import Permission, user_can


def _manager(request: HttpRequest) -> User:
    if not user_can(request.user, Permission.APPEAL_MANAGE) or not isinstance(request.user, User):
        raise PermissionDenied(_("需要县级管理员角色"))
    return request.user


@login_required
def pattern_list_page(request: HttpRequest) -> HttpResponse:
    """The recurring needs of the manager's county, and the jobs taken."""
    user = _manager(request)
    patterns = pattern_list(user=user)
    return render(
        request,
        "appeals/patterns/list.html",
        {
            "patterns": [(pattern, assignee_choices(township=pattern.township)) for pattern in patterns],
            "jobs": job_list(user=user),
            "min_count": MIN_COUNT,
            "window_days": WINDOW_DAYS,
            "note_max": NOTE_MAX_LENGTH,
        },
    )


@login_required
@require_POST
def pattern_take_submit(request: HttpRequest) -> HttpResponse:
    """Take a pattern as one job: the requests ticked, the note, the assignee."""
    user = _manager(request)
    ids = [int(value) for value in request.POST.getlist("appeal") if value.isdigit() and len(value) < 12]
    assignee = request.POST.get("assignee", "")
    try:
        job = pattern_take(
            actor=user,
            key=request.POST.get("pattern", ""),
            note=request.POST.get("note", ""),
            appeal_ids=ids,
            assignee_id=int(assignee) if assignee.isdigit() and len(assignee) < 12 else None,
        )
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("appeals:patterns")
    messages.success(
        request, _("已并案办理：%(count)d 件诉求，已告知提出人。") % {"count": job.appeals.count()}
    )
    return redirect("appeals:job", job_id=job.pk)


@login_required
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    """One job: its requests and note; resolve them all with one note."""
    user = _manager(request)
    try:
        job = job_get(user=user, job_id=job_id)
    except NotFound as error:
        raise Http404(error.message) from None
    if request.method == "POST":
        try:
            job_resolve(actor=user, job_id=job.pk, resolution=request.POST.get("resolution", ""))
        except PermissionRefused as error:
            raise PermissionDenied(error.message) from None
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("并案已办结，已请每位提出人评价。"))
        return redirect("appeals:job", job_id=job.pk)
    return render(
        request,
        "appeals/patterns/job.html",
        {"job": job, "appeals": job_appeals(job=job), "note_max": NOTE_MAX_LENGTH},
    )
