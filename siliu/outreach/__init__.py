"""Stamp exhibitions (邮票上的党史): the catalogue of stamp issues, exhibitions and talks built on them at
outlets, schools and village squares, and where they have been this year.

- :mod:`~siliu.outreach.stamps`: the catalogue (志号, issue date, stamps in the set, face value, theme,
  image), added to in the admin and on a page;
- :mod:`~siliu.outreach.exhibitions`: an exhibition's life, requested → planned → held (attendance
  counted) or cancelled, each change appending an ``ExhibitionEvent``; the request form anyone may file;
- :mod:`~siliu.outreach.coverage`: which townships and villages had a held exhibition in a year, on a
  map and a table, so that the next ones go where none have been.

Decisions are in ``docs/adr/0027-stamp-outreach.md``.
"""
