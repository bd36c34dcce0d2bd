"""People's requests (我为群众办实事, issue #15): anyone files one (logged in, at a station counter for a
villager, or with a phone confirmed by a code); it is routed to the outlet serving the village, followed
through acknowledged and resolved to the requester's rating, escalated to the county when late; the
recurring ones are surfaced for the county manager as one job, and a public monthly page counts them.
See ADR 0026."""
