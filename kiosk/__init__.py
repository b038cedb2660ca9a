"""thuvien-kiosk: self-service library kiosk for commune reading rooms, and the provincial hub."""

__version__ = "0.1.0"
