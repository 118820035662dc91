"""The catalogue of Zoho's standard modules, as data."""
