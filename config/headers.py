"""Response headers every page carries: the Content-Security-Policy (django-csp, with this
site's own websocket origin added) and the Permissions-Policy (settings.PERMISSIONS_POLICY)."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (settings.CONTENT_SECURITY_POLICY), with connect-src also
    naming this host's websocket origin (wss:// behind HTTPS, ws:// on a development site).

    CSP Level 3 lets 'self' match ws:/wss: of the page's own host, and Chromium (Android
    phones, Zalo's in-app browser there) does; older WebKit (Zalo on an older iPhone)
    does not, and the live game and leaderboards run on websockets. Naming the origin
    costs nothing and does not open connect-src to other hosts, as a bare wss: would."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:  # the 400 for a bad Host header still gets the base policy
            return parts
        socket = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", ()), socket]
        parts.update = update
        return parts


def permissions_policy(get_response):
    """Turns off the browser features the site never uses; the camera stays for its own
    pages (the festival scan page reads residents' QR codes with it)."""
    value = ", ".join(
        f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
    )

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", value)
        return response

    return middleware
