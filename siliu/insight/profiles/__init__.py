"""One farmer or cooperative across the four flows: sales, parcels, money and loans, trace pages opened."""
