"""Records: validation, writing, reading and serialising module records."""
