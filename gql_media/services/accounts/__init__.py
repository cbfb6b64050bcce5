"""Accounts: owners (workspaces), API tokens, and who a request acts for."""
