"""The loan officer's and county manager's side of lending (issue #10): the review queue, the second
approval, the portfolio with its classes and PAR, the collection list and the write-off."""
