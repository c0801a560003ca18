from accounts.scopes import Scope


def roles(request):
    """`is_coordinator` for the navigation; asked lazily, so anonymous pages run no query."""
    return {"is_coordinator": lambda: not Scope.of(request.user).is_empty}
