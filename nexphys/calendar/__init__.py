"""Calendar feeds (.ics): a member's own bookings and the studio's timetable, behind secret URLs."""
