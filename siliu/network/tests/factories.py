"""factory_boy factories for regions and outlets."""

from decimal import Decimal

import factory

from siliu.network.models import Outlet, OutletKind, OutletLink, Region, RegionLevel


class ProvinceFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "610000"
    name = "陕西省"
    level = RegionLevel.PROVINCE
    parent = None


class CountyFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "610124"
    name = "示范县"
    level = RegionLevel.COUNTY
    parent = factory.SubFactory(ProvinceFactory)


class TownshipFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"610124{100 + n:03d}")
    name = factory.Sequence(lambda n: f"第{n}镇")
    level = RegionLevel.TOWNSHIP
    parent = factory.SubFactory(CountyFactory)


class VillageFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region

    parent = factory.SubFactory(TownshipFactory)
    code = factory.LazyAttributeSequence(lambda village, n: f"{village.parent.code}{200 + n % 800:03d}")
    name = factory.Sequence(lambda n: f"第{n}村")
    level = RegionLevel.VILLAGE


class OutletFactory(factory.django.DjangoModelFactory[Outlet]):
    """A village station by default; pass ``kind`` and ``region`` for others."""

    class Meta:
        model = Outlet

    code = factory.Sequence(lambda n: f"V{n:05d}")
    name = factory.Sequence(lambda n: f"第{n}村服务站")
    kind = OutletKind.VILLAGE_STATION
    region = factory.SubFactory(VillageFactory)
    latitude = Decimal("34.100000")
    longitude = Decimal("108.600000")
    has_cash_counter = True


class OutletLinkFactory(factory.django.DjangoModelFactory[OutletLink]):
    class Meta:
        model = OutletLink

    from_outlet = factory.SubFactory(OutletFactory)
    to_outlet = factory.SubFactory(OutletFactory)
    distance_km = Decimal("5.20")
    transit_minutes = 15
    departure_times = factory.LazyFunction(lambda: ["08:00", "14:00"])
