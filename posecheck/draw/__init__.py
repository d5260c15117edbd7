"""Drawing on frames: skeleton, check marks, cue banner, hold ring. Drawing only, never state."""
