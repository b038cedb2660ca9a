"""Helpers shared by several test folders (a real Mosquitto broker, free ports)."""
