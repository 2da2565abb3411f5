"""shangmi (商秘): a trade-secret protection information system."""

__version__ = "0.1.0"
