"""The body: the 33 landmarks and the `Pose` type, geometry on them, smoothing over time.

Pure numpy; the lowest layer, importing nothing else of posecheck's but errors.
"""
