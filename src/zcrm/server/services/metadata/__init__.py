"""Module and field metadata: the rows that drive validation, serialisation and queries."""
