"""Input and output: the pose estimator (the only user of MediaPipe) and its
chunked runs (`chunks`), photos, videos and cameras (`video`) and windows
(`window`) (with `draw`, the only users of OpenCV), landmark recordings, the
sources that open all of them once (`sources`, described by `info`), and
output paths."""
