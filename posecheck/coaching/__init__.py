"""Coaching: the session state machine (confirm, hold, pause, reps, sides, rest)
and the coach that runs smoothing, checks and session frame by frame. Pure:
time comes with every frame."""
