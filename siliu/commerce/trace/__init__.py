"""Traceability: where the food on the table came from.

Trace batches (plot, harvest, inspection) and their unguessable codes (``services``), the public
record of a code, its QR code and the journey of a parcel that carries it (``selectors``), with no
personal data; ``api``, ``views`` and ``urls`` serve them under ``/t/``.
"""
