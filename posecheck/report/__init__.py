"""Reports of a scored recording: the summary (JSON, CSV) and the self-contained HTML page.

Importing this package loads neither OpenCV nor MediaPipe: a report is numbers
and text, and the pictures in it arrive already encoded.
"""
