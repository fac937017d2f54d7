package dev.sketchreal.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.sketchreal.nn.Init;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.Parameter;
import java.util.function.Function;

/** A module with two hand-set parameters for optimizer tests. */
final class TinyModule extends Module {
  final Parameter a;
  final Parameter b;

  TinyModule() {
    a = parameter("a", Init.zeros(), 2);
    b = parameter("b", Init.zeros(), 1);
  }

  /** Back-propagates {@code loss(this)} once (accumulating into the gradients). */
  void backward(Function<TinyModule, NDArray> loss) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(loss.apply(this));
    }
  }

  /** Σ a³ + b²·a0: a non-quadratic loss so that steps differ. */
  static NDArray cubicLoss(TinyModule t) {
    NDArray a = t.a.array();
    return a.mul(a).mul(a).sum().add(t.b.array().mul(t.b.array()).mul(a.get(0)).sum());
  }

  static TinyModule of(NDManager m, float[] a, float b) {
    TinyModule t = new TinyModule();
    t.a.set(m.create(a));
    t.b.set(m.create(new float[] {b}));
    return t;
  }
}
