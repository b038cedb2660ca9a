"""The commune's monthly and annual figures, and their printable page."""
