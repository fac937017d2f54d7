package dev.sketchreal.pipeline;

/**
 * An RGB image produced by a pipeline.
 *
 * @param pixels channel-major (3·H·W) values in [0, 1]
 */
public record GeneratedImage(float[] pixels, int width, int height) {
  public GeneratedImage {
    if (pixels.length != 3 * width * height) {
      throw new IllegalArgumentException("pixel count does not match " + width + "x" + height);
    }
  }
}
