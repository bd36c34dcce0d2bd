"""Inclusive finance (普惠金融): loan products and exact schedules, credit from the platform's own data,
and the loan's life from application to repayment. Above commerce: it reads the other flows through
their selectors and books every yuan through the ledger's services."""
