from django.http import HttpRequest

from siliu.core.roles import Role, user_roles


def roles(request: HttpRequest) -> dict[str, object]:
    """The acting user's roles for templates: ``{% if "county_manager" in user_role_names %}``."""
    names = user_roles(request.user)
    return {
        "user_role_names": names,
        "user_role_labels": [role.label for role in Role if role.value in names],
    }
