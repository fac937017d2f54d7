package dev.sketchreal.model.blocks;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.Module;

/** Nearest-neighbour ×2 (or to a given size) followed by a 3×3 conv ({@code conv}). */
public final class Upsample2D extends Module {
  private static final int NEAREST = 0;
  private final Conv2d conv;

  public Upsample2D(long channels) {
    this.conv = child("conv", new Conv2d(channels, channels, 3, 1, 1));
  }

  /**
   * @param x (B, C, H, W)
   * @param height target height, or -1 for 2H (the UNet passes the skip's size for odd sizes)
   * @param width target width, or -1 for 2W
   */
  public NDArray forward(NDArray x, long height, long width) {
    long h = height > 0 ? height : x.getShape().get(2) * 2;
    long w = width > 0 ? width : x.getShape().get(3) * 2;
    NDArray up = x.getNDArrayInternal().interpolation(new long[] {h, w}, NEAREST, false);
    return conv.forward(up);
  }

  public NDArray forward(NDArray x) {
    return forward(x, -1, -1);
  }
}
