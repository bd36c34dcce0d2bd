"""Pricing and promises: what a parcel costs and when it arrives, before it exists.

Tariffs by product, zone and date and the quote built from them (``quotes``), the fastest path through
the network's timetable and the promised time (``paths``), the per-process snapshot of outlets, links,
tariffs and trunk routes that quotes read (``reference``), trunk routes out of the county
(``services``); ``api`` serves the public quote. Reads only, but for the trunk routes.
"""
