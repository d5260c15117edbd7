"""posecheck: checks stretch form from a camera, a video or a photo."""

__version__ = "0.2.0.dev0"
