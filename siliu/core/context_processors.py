from django.http import HttpRequest

from siliu.core.permissions import Permission, user_can
from siliu.core.preferences import elderly_mode_of_request
from siliu.core.roles import Role, user_roles


def roles(request: HttpRequest) -> dict[str, object]:
    """The acting user's roles and the permissions they hold somewhere, for templates:
    ``{% if "round.read" in user_permissions %}`` (the navigation shows what the user may open)."""
    names = user_roles(request.user)
    return {
        "user_role_names": names,
        "user_role_labels": [role.label for role in Role if role.value in names],
        "user_permissions": {
            permission.value for permission in Permission if user_can(request.user, permission)
        },
    }


def preferences(request: HttpRequest) -> dict[str, object]:
    """``elderly_mode``: whether this device shows pages in elderly mode (长辈模式), read from its cookie."""
    return {"elderly_mode": elderly_mode_of_request(request)}
