"""Home pickups in remote villages (偏远山区便民邮寄, issue #14): a villager, or their station's operator for
them, asks for their goods to be collected at home in a time window; the village's station owns the
request, the next round that collects there makes the detour (``siliu.logistics.rounds`` asks through a
hook), and the parcel accepted at the station closes it.

``models`` (remote villages and their price, requests, their events), ``selectors`` (the price, lists,
what the rounds and the station ask for), ``services`` (request, cancel, missed, planned, collected, the
demo's requests), ``api``, ``views``, ``urls``; ADR 0025.
"""
