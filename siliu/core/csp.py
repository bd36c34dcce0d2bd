"""The Content-Security-Policy header: pages run only the scripts and styles this site serves.

Django 5.2 has no CSP of its own; Django 6.0 adds ``django.middleware.csp.ContentSecurityPolicyMiddleware``
reading the same two settings in the same shape, so moving to it is a change of one line in
``MIDDLEWARE`` and the removal of this module.

Settings
--------
SECURE_CSP : dict[str, list[str] | bool]
    The policy browsers enforce, directive → sources (``{"default-src": ["'self'"]}``); a ``True`` value
    writes the directive alone. Empty: no enforced header.
SECURE_CSP_REPORT_ONLY : dict[str, list[str] | bool]
    The policy browsers only report on (in the console, and to ``securitypolicyviolation`` listeners).
    Development uses it so that Django's debug pages, which carry inline scripts, keep working while
    every violation still shows.
"""

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

ENFORCE_HEADER = "Content-Security-Policy"
REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"

Policy = Mapping[str, Sequence[str] | bool]


def policy_header_value(policy: Policy) -> str:
    """The header's value for ``policy``: directives in the given order, separated by ``"; "``.

    >>> policy_header_value({"default-src": ["'self'"], "upgrade-insecure-requests": True})
    "default-src 'self'; upgrade-insecure-requests"
    """
    parts = []
    for directive, sources in policy.items():
        if sources is True:
            parts.append(directive)
        elif sources:
            parts.append(f"{directive} {' '.join(sources)}")
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds the enforced and the report-only policy to every response that has not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # Settings are read once per process, as Django reads its other security headers.
        self.headers = {
            header: policy_header_value(policy)
            for header, policy in (
                (ENFORCE_HEADER, getattr(settings, "SECURE_CSP", {})),
                (REPORT_ONLY_HEADER, getattr(settings, "SECURE_CSP_REPORT_ONLY", {})),
            )
            if policy
        }

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for header, value in self.headers.items():
            if header not in response:
                response[header] = value
        return response
