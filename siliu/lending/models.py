"""Lending's tables; see the modules beside this one for what they mean."""
