package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * How a parameter is initialised when it is not loaded from a checkpoint. Values are drawn from an
 * injected generator so that a model built with the same seed has the same weights.
 */
@FunctionalInterface
public interface Init {
  NDArray create(NDManager manager, Shape shape, SplittableRandom random);

  static Init zeros() {
    return (m, s, r) -> m.zeros(s, DataType.FLOAT32);
  }

  static Init ones() {
    return (m, s, r) -> m.ones(s, DataType.FLOAT32);
  }

  /** Uniform in [-bound, bound]. */
  static Init uniform(double bound) {
    return (m, s, r) -> fill(m, s, r, () -> (float) ((r.nextDouble() * 2 - 1) * bound));
  }

  /** Gaussian with the given standard deviation. */
  static Init normal(double std) {
    return (m, s, r) -> fill(m, s, r, () -> (float) (gaussian(r) * std));
  }

  /** PyTorch's default for Linear/Conv weights and biases: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
  static Init fanIn(long fanIn) {
    return uniform(1.0 / Math.sqrt(fanIn));
  }

  private static NDArray fill(
      NDManager manager, Shape shape, SplittableRandom random, FloatSupplier next) {
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = next.get();
    }
    return manager.create(values, shape);
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A float supplier without boxing. */
  @FunctionalInterface
  interface FloatSupplier {
    float get();
  }
}
