"""Requests: filing (logged in, at the counter for a villager, with a phone code), routing and due
times, the transitions from filed to closed, escalation when late, and the pages and API of requesters,
stations and the county."""
