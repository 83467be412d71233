"""The public gallery: approved photos with gallery consent, for anyone to browse."""
