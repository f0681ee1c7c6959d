"""Webhooks: signing and SSRF-safe sending (``sending``), and deliveries recorded per job
event with retries (``deliveries``)."""
