"""Vigie: advertiser brand-safety and campaign-pressure tracker (CLI and configuration)."""

__version__ = "0.1.0"
