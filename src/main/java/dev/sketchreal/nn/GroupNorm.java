package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Group normalisation (DJL has none): (B, C, ...) is viewed as (B, G, C/G·...), each group is
 * normalised with a layer norm without affine, then the per-channel affine is applied.
 */
public final class GroupNorm extends Module {
  private final Parameter weight;
  private final Parameter bias;
  private final int groups;
  private final long channels;
  private final float eps;

  public GroupNorm(int groups, long channels, double eps) {
    if (channels % groups != 0) {
      throw new IllegalArgumentException(
          "GroupNorm: " + channels + " channels not divisible by " + groups + " groups");
    }
    this.groups = groups;
    this.channels = channels;
    this.eps = (float) eps;
    this.weight = parameter("weight", Init.ones(), channels);
    this.bias = parameter("bias", Init.zeros(), channels);
  }

  /** (B, C, H, W) -> (B, C, H, W). */
  public NDArray forward(NDArray x) {
    Shape shape = x.getShape();
    long b = shape.get(0);
    long perGroup = shape.size() / (b * groups);
    NDArray grouped = x.reshape(b, groups, perGroup);
    Shape normShape = new Shape(perGroup);
    try (NDArray ones = x.getManager().ones(normShape, DataType.FLOAT32);
        NDArray zeros = x.getManager().zeros(normShape, DataType.FLOAT32)) {
      NDArray normed =
          ai.djl.nn.norm.LayerNorm.layerNorm(grouped, normShape, ones, zeros, eps)
              .singletonOrThrow()
              .reshape(shape);
      long[] affine = new long[shape.dimension()];
      java.util.Arrays.fill(affine, 1);
      affine[1] = channels;
      NDArray w = Owned.like(weight.array().reshape(affine), x);
      NDArray b2 = Owned.like(bias.array().reshape(affine), x);
      return normed.mul(w).add(b2);
    }
  }
}
