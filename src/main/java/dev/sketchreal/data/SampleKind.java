package dev.sketchreal.data;

/**
 * Where a sample's sketch comes from. The training recipe treats them differently (METHOD.md §4):
 * hand-drawn sketches are not aligned with the photo and get pseudo-masks; synthetic sketches are
 * edge maps of the photo, so the photo's masks are their masks.
 */
public enum SampleKind {
  HAND_DRAWN,
  SYNTHETIC
}
