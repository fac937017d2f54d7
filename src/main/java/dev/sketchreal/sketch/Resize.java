package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;

/** Differentiable spatial resizing of (B, C, H, W) arrays (libtorch interpolate via DJL). */
public final class Resize {
  // DJL's interpolation modes (PtNDArrayEx): 0 nearest, 1 bilinear, 2 area, 3 bicubic.
  static final int NEAREST = 0;
  static final int BILINEAR = 1;
  static final int AREA = 2;

  private Resize() {}

  /**
   * Area interpolation (torch {@code mode="area"}, i.e. adaptive average pooling): each output cell
   * is the mean of the input cells its window covers. Mass-preserving when shrinking by an integer
   * factor, which is why region masks are resized with it.
   */
  public static NDArray area(NDArray x, long height, long width) {
    if (sameSize(x, height, width)) {
      return x;
    }
    return x.getNDArrayInternal().interpolation(new long[] {height, width}, AREA, false);
  }

  /**
   * The per-channel mean over the plane, (B, C, H, W) → (B, C, 1, 1): the part of a map that is the
   * same everywhere (a tint), as opposed to where things are.
   */
  public static NDArray planeMean(NDArray x) {
    return x.mean(new int[] {3}, true).mean(new int[] {2}, true);
  }

  /** Bilinear interpolation (align_corners = false). */
  public static NDArray bilinear(NDArray x, long height, long width) {
    if (sameSize(x, height, width)) {
      return x;
    }
    return x.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false);
  }

  static NDArray nearest(NDArray x, long height, long width) {
    if (sameSize(x, height, width)) {
      return x;
    }
    return x.getNDArrayInternal().interpolation(new long[] {height, width}, NEAREST, false);
  }

  /**
   * Feature maps to a target grid: area when shrinking in both directions (no aliasing), bilinear
   * otherwise (ViT patch grids are usually coarser than the latent, e.g. 14×14 → 64×64).
   */
  public static NDArray features(NDArray x, long height, long width) {
    boolean shrink = x.getShape().get(2) >= height && x.getShape().get(3) >= width;
    return shrink ? area(x, height, width) : bilinear(x, height, width);
  }

  /**
   * Space-to-depth: (B, C, f·h, f·w) → (B, C·f², h, w), every f×f pixel patch folded into channels
   * (no information lost, unlike resizing the pixels down to the latent grid).
   */
  public static NDArray spaceToDepth(NDArray x, int factor) {
    long b = x.getShape().get(0);
    long c = x.getShape().get(1);
    long h = x.getShape().get(2) / factor;
    long w = x.getShape().get(3) / factor;
    if (h * factor != x.getShape().get(2) || w * factor != x.getShape().get(3)) {
      throw new IllegalArgumentException(
          "space-to-depth: size " + x.getShape() + " not divisible by " + factor);
    }
    return x.reshape(b, c, h, factor, w, factor)
        .transpose(0, 1, 3, 5, 2, 4)
        .reshape(b, c * factor * factor, h, w);
  }

  private static boolean sameSize(NDArray x, long height, long width) {
    return x.getShape().get(2) == height && x.getShape().get(3) == width;
  }
}
