"""Adapters of the PaymentProvider port (settings.PAYMENT_PROVIDERS names them)."""
