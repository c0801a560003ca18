"""Who may open the coordinators' pages: a view decorated here gets the viewer's Scope, or
answers 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.scopes import Scope


def coordinator_required(view):
    """Logged in, with a coordinator role; the view gets the viewer's Scope."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope = Scope.of(request.user)
        if scope.is_empty:
            raise PermissionDenied(_("Trang này dành cho người điều phối."))
        return view(request, scope, *args, **kwargs)

    return wrapper


def department_required(view):
    """The Department's pages: logged in, with the province-wide scope (a province
    administrator); any other coordinator gets 403."""

    @coordinator_required
    @wraps(view)
    def wrapper(request, scope: Scope, *args, **kwargs):
        if not scope.everything:
            raise PermissionDenied(_("Trang này dành cho Sở (quản trị cấp tỉnh)."))
        return view(request, *args, **kwargs)

    return wrapper
