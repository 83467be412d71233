"""The JSON API under /api/v1: tokens, problem+json errors, validation and OpenAPI."""
