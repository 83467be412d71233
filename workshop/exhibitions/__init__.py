"""Exhibitions: an ordered choice of consented photos, sent to print, with their PDFs."""
