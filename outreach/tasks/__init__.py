"""Tasks for people: the board, assignment, the daily digest and the calendar."""
