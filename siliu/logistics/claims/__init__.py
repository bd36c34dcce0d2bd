"""Claims for lost, damaged and late parcels: submission, compensation by policy, decision, payment.

``services`` writes (each one atomic transaction that also appends a ``ClaimEvent``), ``selectors``
reads (scoped to the acting user), ``policy`` works out what a claim is due under the written
compensation policy; ``api``, ``views`` and ``urls`` serve them.

Decisions someone will ask about
--------------------------------
Who may claim
    The parcel's sender (its ``sender_user``), or a staff member filing for the sender at the counter.
    Either way the claim is recorded in the sender's name, because compensation is paid into the
    sender's wallet; a parcel sent without a user account cannot be claimed for here.
Who decides and pays
    County managers and staff, never on a claim of their own.
What each kind needs
    A loss claim is for a parcel in the network's hands (accepted, not delivered, not already lost);
    damage only after delivery, with at least one photo; delay when the parcel was delivered after
    its promised time, or is still undelivered with the promised time past. One claim per parcel and
    kind unless the earlier one was rejected.
The claimed loss
    Loss and damage claims state the actual loss in fen (> 0); it caps every basis but the fixed
    multiple of postage; delay claims record 0. ``damage_share_bp`` is the damaged share of the
    contents and only scales a declared (insured) value; for uninsured items the claimed loss
    already is the loss.
Postage
    "Postage" in a rule is what the sender paid for carriage: ``postage_fen − discount_fen`` (neither
    the insurance nor the COD fee is postage).
Rounding
    The only fraction is declared value × damaged share; it is rounded half up to the fen, in integer
    arithmetic (``(2·v·bp + 10000) // 20000``).
Policy date
    The policy in force on the claim's submission date (Asia/Shanghai business day) applies, however
    late the decision; the claim keeps the policy and rule it was approved under.
Zero amounts
    An approval may fix 0 fen (a postage refund of a parcel whose postage was nothing, a rule that
    yields nothing). Paying it closes the claim as paid without a ledger transfer, since the ledger
    refuses zero transfers and there is nothing to move.
Idempotent payment
    The transfer's id ``claim:<id>:compensation`` is its idempotency key. The ledger write and the
    status change share one transaction; should the ledger ever hold the transfer while the claim still
    says approved, paying again finds the identical transfer (``exists``), books nothing more and marks
    the claim paid.
"""
