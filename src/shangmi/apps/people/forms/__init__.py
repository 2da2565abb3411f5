"""Forms of the people side, one module per concern."""
