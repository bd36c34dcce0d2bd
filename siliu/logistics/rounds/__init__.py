"""Delivery rounds: the vans' day, deliveries down and pickups up on the same trip.

The routing problem as plain data (``problem``), the one PyVRP model builder (``model``), the
workbench's VRPLIB reader and writer (``vrplib``), the day's problem built from the database and its
solution read back (``planning``, where the rules are written down), plans requested, run and scanned
along the way (``services``, ``selectors``, ``tasks``), route sheets (``sheets``); ``api``, ``views`` and
``urls`` serve them.
"""
