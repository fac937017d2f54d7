package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * One named region of one sample: the prompt token positions of a class name (a multi-token word
 * uses all its tokens) and the class's binary mask at latent resolution.
 *
 * @param tokenPositions positions in the text encoder's sequence (0 = BOS), distinct
 * @param mask (h, w) float32 in [0, 1] at the latent's resolution (1 = inside the region)
 */
public record TokenRegion(int[] tokenPositions, NDArray mask) {
  public TokenRegion {
    if (tokenPositions.length == 0) {
      throw new IllegalArgumentException("a region needs at least one token position");
    }
    if (mask.getShape().dimension() != 2) {
      throw new IllegalArgumentException("region mask must be (h, w), got " + mask.getShape());
    }
    tokenPositions = tokenPositions.clone();
  }

  /** A region from a row-major Java mask. */
  public static TokenRegion of(
      int[] tokenPositions, float[] mask, int height, int width, NDManager manager) {
    if (mask.length != height * width) {
      throw new IllegalArgumentException(
          "mask has " + mask.length + " values, expected " + height + "×" + width);
    }
    return new TokenRegion(tokenPositions, manager.create(mask, new Shape(height, width)));
  }

  @Override
  public String toString() {
    return "TokenRegion" + Arrays.toString(tokenPositions) + mask.getShape();
  }
}
