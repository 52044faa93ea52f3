"""The plugins that ship with Tessera; each is enabled per site in ``tessera.plugins``."""
