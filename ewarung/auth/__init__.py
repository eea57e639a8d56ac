"""Users, roles, sign-in, API tokens and route protection."""
