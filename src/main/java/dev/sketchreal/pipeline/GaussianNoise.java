package dev.sketchreal.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Standard normal noise drawn in Java from a seed, so that a generation is a pure function of its
 * inputs: the same seed gives the same latent on every machine, engine, device and thread count.
 */
public final class GaussianNoise {
  private final SplittableRandom random;

  public GaussianNoise(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The next tensor of N(0, 1) values, float32. */
  public NDArray next(NDManager manager, Shape shape) {
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i += 2) {
      // Box-Muller: two independent normals per pair of uniforms.
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      double r = Math.sqrt(-2 * Math.log(u1));
      values[i] = (float) (r * Math.cos(2 * Math.PI * u2));
      if (i + 1 < values.length) {
        values[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
      }
    }
    return manager.create(values, shape);
  }

  /** A fresh random seed (for seed = -1), reported to the user so the image can be reproduced. */
  public static long randomSeed() {
    return new SplittableRandom().nextLong() & 0xFFFFFFFFL;
  }
}
