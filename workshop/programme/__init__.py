"""Workshop sessions: planning, enrolment, attendance and the cameras they use."""
