package dev.sketchreal.train.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** Seeded N(0, 1) arrays drawn on the Java side (Box–Muller), so a step's noise is resumable. */
final class Gaussian {
  private Gaussian() {}

  static float[] values(SplittableRandom random, int count) {
    float[] v = new float[count];
    for (int i = 0; i < count; i += 2) {
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      double r = Math.sqrt(-2 * Math.log(u1));
      v[i] = (float) (r * Math.cos(2 * Math.PI * u2));
      if (i + 1 < count) {
        v[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
      }
    }
    return v;
  }

  static NDArray array(NDManager manager, SplittableRandom random, long... shape) {
    Shape s = new Shape(shape);
    return manager.create(values(random, Math.toIntExact(s.size())), s);
  }
}
