"""Partner couriers (邮快合作): registration, handover manifests, billing, monthly statements and signed
proof-of-delivery webhooks.

Another express company hands a batch of its parcels to the county hub for the last mile. Each row of
its manifest becomes a postal parcel that keeps the partner's own tracking number (so the partner's
labels scan as they are), rides the postal rounds beside postal parcels, and is billed to the partner
per parcel at the e-commerce tariff by zone from the hub: a receivable booked in the ledger in the same
transaction as the manifest. When a partner parcel is delivered, the delivery hook that
:mod:`siliu.hooks` registers (:func:`siliu.logistics.partners.tasks.webhooks_owe`) owes the partner a
signed message, which :func:`~siliu.logistics.partners.webhooks.webhook_deliveries_send` posts and
retries with exponential backoff.

``services`` registers partners and receives manifests, ``selectors`` reads them, ``statements`` bills
a month, ``webhooks`` signs and sends the proof of delivery and ``tasks`` runs the sending in the
background; ``api``, ``views`` and ``urls`` serve them.

Decisions
---------
- **No cash on delivery on partner parcels.** A row with ``cod_amount_fen`` > 0 is refused
  (``cod_not_supported``): a COD parcel is remitted to its sender's wallet, and a partner has none. The
  partner collects its own COD; offering it would need a partner payable netted against the receivable.
- **The sender of a partner parcel is the partner**: its name, the handover contact's phone given with
  the manifest (``contact_phone``), and the hub's address as the place of handover.
- **Numbers are matched upper-cased and whole.** A partner's pattern is stored wrapped as
  ``^(?:…)$`` because scans normalise numbers to upper case and match from the start.
- **The same manifest reference twice** returns the first result; sent again with other tracking
  numbers it is refused (``manifest_exists_with_different_rows``) rather than silently ignored.
- **The proof sent back** names the kind of proof and, for a signature, the signer's name (the partner
  needs it for disputes and already knows its customer); never a pickup code or a photo reference.
"""
