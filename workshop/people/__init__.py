"""One participant as their site's workers see them: everything about them in one place."""
