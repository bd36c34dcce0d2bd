"""The public monthly page: requests by category and township, the share resolved in time and the
average rating, with no personal data."""
