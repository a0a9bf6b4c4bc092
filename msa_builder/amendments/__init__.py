"""Amendments: bring a signed client up to today's library by changing exactly the affected terms."""
