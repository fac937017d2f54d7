package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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

  /** (B, C, ...) -> (B, C, ...). */
  public NDArray forward(NDArray x) {
    Shape shape = x.getShape();
    long b = shape.get(0);
    long perGroup = shape.size() / (b * groups);
    NDArray grouped = x.reshape(b, groups, perGroup);
    Shape normShape = new Shape(perGroup);
    NDManager m = x.getManager();
    try (NDArray ones = m.ones(normShape, DataType.FLOAT32);
        NDArray zeros = m.zeros(normShape, DataType.FLOAT32)) {
      NDArray normed =
          ai.djl.nn.norm.LayerNorm.layerNorm(grouped, normShape, ones, zeros, eps)
              .singletonOrThrow()
              .reshape(shape);
      return affine(normed);
    }
  }

  /**
   * x·weight + bias per channel in one pass: batch_norm in inference mode with running mean 0,
   * running variance 1 and eps 0 is exactly that affine (instead of a multiply and an add, each
   * reading and writing the whole feature map).
   */
  private NDArray affine(NDArray normed) {
    NDManager m = normed.getManager();
    try (NDArray mean = m.zeros(new Shape(channels), DataType.FLOAT32);
        NDArray var = m.ones(new Shape(channels), DataType.FLOAT32)) {
      return ai.djl.nn.norm.BatchNorm.batchNorm(
              normed, mean, var, weight.array(), bias.array(), 1, 0f, 0f, false)
          .singletonOrThrow();
    }
  }
}
