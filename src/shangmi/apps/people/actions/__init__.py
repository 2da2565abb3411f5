"""Writes of the people side, one module per concern; each action is atomic, checks the role, names
the field on bad input, and writes its timeline row, audit event and deposit in the same transaction."""
