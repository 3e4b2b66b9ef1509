"""Adapters of the ClientMessenger port (see ports.py)."""
