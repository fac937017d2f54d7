package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;

/** y = x·Wᵀ + b over the last axis; weight [out, in], bias [out]. */
public final class Linear extends Module {
  private final Parameter weight;
  private final Parameter bias;
  private final long inFeatures;
  private final long outFeatures;

  public Linear(long inFeatures, long outFeatures, boolean bias) {
    this(inFeatures, outFeatures, bias, Init.fanIn(inFeatures));
  }

  /** With the given initialisation of weight and bias (e.g. zeros for a layer that starts idle). */
  public Linear(long inFeatures, long outFeatures, boolean bias, Init init) {
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = parameter("weight", init, outFeatures, inFeatures);
    this.bias = bias ? parameter("bias", init, outFeatures) : null;
  }

  public Linear(long inFeatures, long outFeatures) {
    this(inFeatures, outFeatures, true);
  }

  public long inFeatures() {
    return inFeatures;
  }

  public long outFeatures() {
    return outFeatures;
  }

  public Parameter weight() {
    return weight;
  }

  /** (..., in) -> (..., out). */
  public NDArray forward(NDArray x) {
    return ai.djl.nn.core.Linear.linear(x, weight.array(), bias == null ? null : bias.array())
        .singletonOrThrow();
  }
}
