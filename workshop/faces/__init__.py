"""Faces in photos: found at upload, shown to the participant and the moderating worker."""
