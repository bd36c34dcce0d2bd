"""Exhibitions and talks (展览活动): a school or village asks for one (``services.exhibition_request``,
anyone, rate-limited), the county manager plans it (date, stamps shown, who leads it), records it held
with the attendance counted, or cancels it; each change follows ``EXHIBITION_TRANSITIONS`` and appends an
``ExhibitionEvent`` in the same transaction. ``selectors`` read them, scoped to the user; the public list
of held exhibitions carries no personal data."""
