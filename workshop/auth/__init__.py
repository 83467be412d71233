"""Accounts: sites, users and roles, login, passphrases and API tokens."""
