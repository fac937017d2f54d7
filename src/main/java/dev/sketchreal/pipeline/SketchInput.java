package dev.sketchreal.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.data.Polarity;
import java.awt.image.BufferedImage;

/** A drawing as the pipeline's stroke map: (1, 1, H, W) in [0, 1], strokes = 1. */
public final class SketchInput {
  private SketchInput() {}

  /** Accepts dark-on-light and light-on-dark drawings (polarity is detected). */
  public static NDArray strokes(BufferedImage drawing, NDManager manager) {
    float[] ink = Polarity.inkMap(drawing);
    return manager.create(ink, new Shape(1, 1, drawing.getHeight(), drawing.getWidth()));
  }
}
