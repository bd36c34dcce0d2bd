"""Exception cases: the county manager's work on a parcel the exception sweep flagged.

``services`` writes (each one atomic transaction appending an ``ExceptionCaseEvent``): assign the case
to someone who may handle it there, add a note, record a contact with the sender or the recipient,
file a claim for the sender through the claims part, resolve it with a text. ``selectors`` reads the
flagged parcels with their cases, how long each has been silent, and the phones as the reader may see
them; ``views`` and ``urls`` serve the exceptions page (异常邮件) with a form per action.

Decisions someone will ask about
--------------------------------
A case is opened by the first action on a flagged parcel
    The sweep (``parcels/exceptions.py``) stays a flag on the parcel and knows nothing of cases, so a
    lower part never writes a higher part's rows; the page lists flagged parcels and each one's open
    case, if any. Resolving a case does not clear the flag: the sweep clears it when the parcel moves.
Who may handle
    ``exception.handle``, held by the county manager in their county, at the parcel's places (where it
    starts, ends or was last seen), as ``exception.read``. Not the station operator: see ADR 0014.
Phones
    In full to who holds ``parcel.read`` at the parcel's places, masked (``masked_phone``) otherwise.
"""
