package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Layer normalisation over the last axis with a per-feature affine (weight, bias). */
public final class LayerNorm extends Module {
  private final Parameter weight;
  private final Parameter bias;
  private final float eps;
  private final Shape normalizedShape;

  public LayerNorm(long features, double eps) {
    this.weight = parameter("weight", Init.ones(), features);
    this.bias = parameter("bias", Init.zeros(), features);
    this.eps = (float) eps;
    this.normalizedShape = new Shape(features);
  }

  /** (..., C) -> (..., C). */
  public NDArray forward(NDArray x) {
    return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalizedShape, weight.array(), bias.array(), eps)
        .singletonOrThrow();
  }
}
