"""Pure-Python engines. Nothing under this package may import Django."""
