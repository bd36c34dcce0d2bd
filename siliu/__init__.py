"""Siliu (四流): commerce, logistics, funds and information flows for a rural postal network."""
