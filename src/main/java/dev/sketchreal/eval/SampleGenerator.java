package dev.sketchreal.eval;

import dev.sketchreal.data.Sample;
import dev.sketchreal.pipeline.GeneratedImage;

/**
 * What {@link LayoutEvaluation} evaluates: one image per sample, from its caption (and, for the
 * sketch-conditioned pipeline, its sketch) with a given seed. The text-only baseline ignores the
 * sketch; the SketchingReality pipeline plugs in here too.
 */
@FunctionalInterface
public interface SampleGenerator {
  GeneratedImage generate(Sample sample, long seed);
}
