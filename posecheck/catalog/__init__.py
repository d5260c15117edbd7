"""The catalog: reference-pose files (what each stretch needs and prescribes),
read and validated."""
