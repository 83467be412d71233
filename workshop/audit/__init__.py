"""The audit history: who changed what, and when."""
