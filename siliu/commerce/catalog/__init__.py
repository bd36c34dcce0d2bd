"""The catalogue: who sells what.

Sellers (cooperatives, family farms, farmers, merchants) registered and verified, with their ID numbers
encrypted, hashed for lookup and masked for display (``identity``); their products, with price, stock,
weight and origin (``services`` writes, ``selectors`` reads); ``api``, ``views`` and ``urls`` serve the
shop and the county manager's review.
"""
