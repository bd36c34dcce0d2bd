"""factory_boy factories for users and roles."""

from collections.abc import Iterable
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User

from siliu.core.roles import Role
from siliu.demo.generator import DEMO_PASSWORD
from siliu.network.models import CountyPost, Region, RegionLevel
from siliu.network.tests.factories import CountyFactory


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = ""
    last_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def roles(user: User, create: bool, extracted: Iterable[Role] | None, **kwargs: Any) -> None:
        if create and extracted:
            user.groups.add(*(Group.objects.get_or_create(name=Role(role).value)[0] for role in extracted))

    @factory.post_generation
    def county(user: User, create: bool, extracted: Region | bool | None, **kwargs: Any) -> None:
        """A county manager is posted to ``county=<Region>``, or by default to every county already in
        the database (the factories' 示范县 610124 when there is none); ``county=False``: nowhere."""
        if (
            not create
            or extracted is False
            or not user.groups.filter(name=Role.COUNTY_MANAGER.value).exists()
        ):
            return
        if isinstance(extracted, Region):
            counties = [extracted]
        else:
            counties = list(Region.objects.filter(level=RegionLevel.COUNTY)) or [CountyFactory.create()]
        for county in counties:
            CountyPost.objects.get_or_create(user=user, county=county)
