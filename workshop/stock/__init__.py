"""Camera stock and loans: cameras, bookings, hand-over and return."""
