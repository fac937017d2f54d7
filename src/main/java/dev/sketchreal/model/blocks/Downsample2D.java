package dev.sketchreal.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.Module;

/**
 * Stride-2 3×3 conv ({@code conv}). The UNet pads 1 on every side; the VAE encoder (padding 0)
 * first pads the right and bottom edges by one zero row/column.
 */
public final class Downsample2D extends Module {
  private final Conv2d conv;
  private final boolean asymmetricPad;

  public Downsample2D(long channels, int padding) {
    this.conv = child("conv", new Conv2d(channels, channels, 3, 2, padding));
    this.asymmetricPad = padding == 0;
  }

  /** (B, C, H, W) -> (B, C, H/2, W/2). */
  public NDArray forward(NDArray x) {
    if (asymmetricPad) {
      // torch pad order: (left, right, top, bottom) for the last two axes.
      x = x.pad(new Shape(0, 1, 0, 1), 0);
    }
    return conv.forward(x);
  }
}
