from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

SILIU_MODELS = [model for model in apps.get_models() if model.__module__.startswith("siliu.")]


def test_every_siliu_model_is_in_the_admin() -> None:
    """Django admin covers every model of every Siliu app."""
    missing = [model.__name__ for model in SILIU_MODELS if not admin.site.is_registered(model)]
    assert missing == []


@pytest.mark.parametrize("model", SILIU_MODELS, ids=lambda model: model.__name__)
def test_admin_changelist_renders(client: Client, make_user: Callable[..., User], model: type[Model]) -> None:
    """Each model's admin list page renders for a superuser."""
    client.force_login(make_user(is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
