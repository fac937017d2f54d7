package dev.sketchreal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
  private static final double B1 = 0.9;
  private static final double B2 = 0.999;
  private static final double EPS = 1e-8;

  /** One AdamW update of one scalar, by hand (torch.optim.AdamW). */
  private static double[] update(
      double w, double m, double v, double g, int t, double lr, double wd) {
    w = w * (1 - lr * wd);
    m = B1 * m + (1 - B1) * g;
    v = B2 * v + (1 - B2) * g * g;
    double mHat = m / (1 - Math.pow(B1, t));
    double vHat = v / (1 - Math.pow(B2, t));
    w = w - lr * mHat / (Math.sqrt(vHat) + EPS);
    return new double[] {w, m, v};
  }

  @Test
  void twoStepsWithTwoGroupsMatchTheHandComputedUpdate() {
    try (NDManager m = NDManager.newBaseManager()) {
      TinyModule t = TinyModule.of(m, new float[] {1f, -2f}, 0.5f);
      AdamW opt =
          new AdamW(
              m,
              List.of(
                  new AdamW.Group("fast", Map.of("a", t.a), 0.1, 0.01),
                  new AdamW.Group("slow", Map.of("b", t.b), 0.01, 0.0)));
      // step 1: L = 0.5·a0 − 1.5·a1 + 3·b   → g = (0.5, −1.5 | 3)
      t.backward(x -> x.a.array().mul(vec(m, 0.5f, -1.5f)).sum().add(x.b.array().mul(3).sum()));
      opt.step();
      // step 2: L = Σ a² + b²               → g = 2·(a, b)
      double[] a0 = update(1, 0, 0, 0.5, 1, 0.1, 0.01);
      double[] a1 = update(-2, 0, 0, -1.5, 1, 0.1, 0.01);
      double[] b = update(0.5, 0, 0, 3, 1, 0.01, 0);
      assertClose(t.a.array(), a0[0], a1[0]);
      assertClose(t.b.array(), b[0]);
      t.backward(x -> x.a.array().mul(x.a.array()).sum().add(x.b.array().mul(x.b.array()).sum()));
      opt.step();
      a0 = update(a0[0], a0[1], a0[2], 2 * a0[0], 2, 0.1, 0.01);
      a1 = update(a1[0], a1[1], a1[2], 2 * a1[0], 2, 0.1, 0.01);
      b = update(b[0], b[1], b[2], 2 * b[0], 2, 0.01, 0);
      assertClose(t.a.array(), a0[0], a1[0]);
      assertClose(t.b.array(), b[0]);
      assertThat(opt.stepCount()).isEqualTo(2);
      assertClose(opt.state().get("exp_avg.fast.a"), a0[1], a1[1]);
      assertClose(opt.state().get("exp_avg_sq.slow.b"), b[2]);
      // gradients were zeroed after the step
      assertThat(t.a.array().getGradient().toFloatArray()).containsOnly(0f);
    }
  }

  @Test
  void stateRoundTripContinuesBitIdentically() {
    try (NDManager m = NDManager.newBaseManager()) {
      TinyModule t1 = TinyModule.of(m, new float[] {0.3f, -0.7f}, 1.5f);
      AdamW o1 = new AdamW(m, List.of(AdamW.Group.of("g", t1, 0.05, 0.1)));
      for (int i = 0; i < 3; i++) {
        t1.backward(TinyModule::cubicLoss);
        o1.step();
      }
      // snapshot of the state and weights, into a fresh optimizer on fresh parameters
      Map<String, NDArray> saved = new LinkedHashMap<>();
      o1.state().forEach((k, v) -> saved.put(k, v.duplicate()));
      TinyModule t2 = TinyModule.of(m, t1.a.array().toFloatArray(), t1.b.array().getFloat(0));
      AdamW o2 = new AdamW(m, List.of(AdamW.Group.of("g", t2, 0.05, 0.1)));
      o2.load(saved);
      assertThat(o2.stepCount()).isEqualTo(3);
      for (int i = 0; i < 2; i++) {
        t1.backward(TinyModule::cubicLoss);
        o1.step();
        t2.backward(TinyModule::cubicLoss);
        o2.step();
      }
      assertThat(t2.a.array().toFloatArray()).containsExactly(t1.a.array().toFloatArray());
      assertThat(t2.b.array().toFloatArray()).containsExactly(t1.b.array().toFloatArray());
      saved.remove("exp_avg.g.a");
      assertThatThrownBy(() -> o2.load(saved)).hasMessageContaining("missing [exp_avg.g.a]");
    }
  }

  @Test
  void frozenParametersAreRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      TinyModule t = TinyModule.of(m, new float[] {1, 2}, 3);
      t.b.setTrainable(false);
      assertThat(AdamW.Group.of("g", t, 1e-3, 0).parameters()).containsOnlyKeys("a");
      assertThatThrownBy(() -> new AdamW(m, List.of(new AdamW.Group("g", Map.of("b", t.b), 1, 0))))
          .hasMessageContaining("frozen");
    }
  }

  @Test
  void clippingScalesToTheMaximumGlobalNorm() {
    try (NDManager m = NDManager.newBaseManager()) {
      TinyModule t = TinyModule.of(m, new float[] {0, 0}, 0);
      // g = (3, 0 | 4): global norm 5
      t.backward(x -> x.a.array().mul(vec(m, 3f, 0f)).sum().add(x.b.array().mul(4).sum()));
      var params = List.of(t.a, t.b);
      assertThat(GradientClipping.clipGlobalNorm(params, 10)).isCloseTo(5, within(1e-6));
      assertThat(GradientClipping.globalNorm(params)).isCloseTo(5, within(1e-6));
      assertThat(GradientClipping.clipGlobalNorm(params, 1)).isCloseTo(5, within(1e-6));
      assertThat(GradientClipping.globalNorm(params)).isCloseTo(1, within(1e-5));
      assertClose(t.a.array().getGradient(), 0.6, 0);
    }
  }

  static NDArray vec(NDManager m, float... v) {
    return m.create(v);
  }

  private static void assertClose(NDArray actual, double... expected) {
    float[] a = actual.toFloatArray();
    assertThat(a).hasSize(expected.length);
    for (int i = 0; i < a.length; i++) {
      assertThat((double) a[i]).as("element " + i).isCloseTo(expected[i], within(1e-6));
    }
  }
}
