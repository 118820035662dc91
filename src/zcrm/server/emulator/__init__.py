"""Emulator controls: fault injection, clock, reset and seed (absent in production mode)."""
