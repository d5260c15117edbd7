"""Input and output: the pose estimator (the only user of MediaPipe), photos,
videos, cameras and windows (with `draw`, the only users of OpenCV), landmark
recordings, frame sources, and output paths."""
