"""Telemetry to the province: the outbox, the payloads (v1) and the MQTT uplink.

Only aggregates leave the kiosk: counts per interval and reader group, health figures and an
online/offline status. See `payloads` for the topics and the JSON schemas.
"""
