"""Pages for sign-in, registration, password reset, the account and the users and audit admin.

Layout only; data from state.accounts."""
