"""posecheck's own errors. The CLI maps each to one line and an exit code."""


class PosecheckError(Exception):
    """A problem with the user's input or setup, worded for the user."""


class InputError(PosecheckError):
    """An input (image, video, folder, camera) that cannot be read."""


class ModelError(PosecheckError):
    """The vendored pose model is missing or damaged."""
