"""Photos: upload, storage, automatic checks, display copies and coaching notes."""
