package dev.sketchreal.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class SketchingRealityLossTest {
  /** A (1, 1, 1, 4) map with values ±a: population std a, mean absolute value a. */
  private static NDArray spread(NDManager m, float a) {
    return m.create(new float[] {a, -a, a, -a}, new Shape(1, 1, 1, 4));
  }

  @Test
  void noiseLossSplitsTheErrorIntoItsPlaneMeanAndTheRest() {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape shape = new Shape(2, 2, 1, 2);
      NDArray target = m.zeros(shape);
      // sample 0: channel 0 errs by a constant 1 (a tint), channel 1 by ±1 (a layout)
      // sample 1: hand-drawn, never counted
      NDArray prediction = m.create(new float[] {1, 1, 1, -1, 5, 5, 5, 5}, shape);
      boolean[] synthetic = {true, false};
      // plain MSE: (1 + 1 + 1 + 1) / 4
      assertThat(SketchingRealityLoss.noise(prediction, target, synthetic).getFloat())
          .isCloseTo(1f, within(1e-6f));
      assertThat(SketchingRealityLoss.noise(prediction, target, synthetic, 1.0).getFloat())
          .isCloseTo(1f, within(1e-6f));
      // spatial part: channel 1's ±1 over C·h·w = 2 / 4; global part: channel 0's mean² over C
      assertThat(SketchingRealityLoss.noise(prediction, target, synthetic, 0.0).getFloat())
          .isCloseTo(0.5f, within(1e-6f));
      assertThat(SketchingRealityLoss.noise(prediction, target, synthetic, 0.2).getFloat())
          .isCloseTo(0.5f + 0.2f * 0.5f, within(1e-6f));
    }
  }

  @Test
  void varianceRewardStopsAtTheCeiling() {
    try (NDManager m = NDManager.newBaseManager()) {
      Modulation small = new Modulation(spread(m, 0.02f), spread(m, 0.03f));
      Modulation large = new Modulation(spread(m, 0.5f), spread(m, 2f));
      assertThat(SketchingRealityLoss.variance(small, 0.05).getFloat())
          .isCloseTo(-0.05f, within(1e-6f));
      assertThat(SketchingRealityLoss.variance(large, 0.05).getFloat())
          .isCloseTo(-0.10f, within(1e-6f));
      // a ceiling far above the values is the paper's −(std S + std B)
      assertThat(SketchingRealityLoss.variance(large, 1e9).getFloat())
          .isCloseTo(-2.5f, within(1e-5f));
    }
  }

  @Test
  void withTheCeilingTheRegularisersNoLongerRewardGrowth() {
    // ‖S‖₁ + ‖B‖₁ + L_var: unbounded below without a ceiling (std ≥ mean |x|), pulls the maps back
    // towards the ceiling with one
    try (NDManager m = NDManager.newBaseManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray scale = spread(m, 0.5f);
      NDArray shift = spread(m, 0.5f);
      scale.setRequiresGradient(true);
      shift.setRequiresGradient(true);
      Modulation mod = new Modulation(scale, shift);
      NDArray reg = SketchingRealityLoss.l1(mod).add(SketchingRealityLoss.variance(mod, 0.05));
      collector.backward(reg);
      // d/da of (mean|x| − min(std, c)) above the ceiling is +1 per map: gradient descent shrinks
      float[] g = scale.getGradient().toFloatArray();
      float[] x = scale.toFloatArray();
      for (int i = 0; i < g.length; i++) {
        assertThat(Math.signum(g[i])).isEqualTo(Math.signum(x[i]));
      }
    }
  }
}
