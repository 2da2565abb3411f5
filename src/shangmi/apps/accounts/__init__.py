"""Users, organisations, memberships, roles, regions (GB/T 2260), tenant access, tokens, notifications."""
