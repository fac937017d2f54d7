package dev.sketchreal.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Element-wise checks of where modulation sits relative to guidance, on (1, 2, 2, 2) arrays. */
class ModulatedGuidanceTest {
  private static final Shape SHAPE = new Shape(1, 2, 2, 2);

  private static NDArray of(NDManager m, float... v) {
    return m.create(v, SHAPE);
  }

  private static ModulationConfig config(
      ModulationConfig.GuidancePlacement placement, boolean spatialOnly) {
    return ModulationConfig.builder().guidancePlacement(placement).spatialOnly(spatialOnly).build();
  }

  private static void assertClose(NDArray actual, NDArray expected) {
    float[] a = actual.toFloatArray();
    float[] e = expected.toFloatArray();
    assertThat(a).hasSameSizeAs(e);
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i]).as("element %d", i).isCloseTo(e[i], within(1e-5f));
    }
  }

  @Test
  void placementDecidesWhetherGuidanceAmplifiesTheModulation() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray uncond = of(m, 0.1f, 0.2f, 0.3f, 0.4f, -0.1f, -0.2f, -0.3f, -0.4f);
      NDArray cond = of(m, 0.2f, 0.1f, 0.5f, 0.0f, 0.1f, -0.1f, -0.5f, 0.3f);
      NDArray scale = of(m, 0.5f, -0.5f, 0f, 1f, 0.25f, 0f, -0.25f, 0f);
      NDArray shift = of(m, 0.1f, 0f, -0.1f, 0f, 0.2f, 0.2f, 0f, -0.2f);
      List<NDArray> seen = new ArrayList<>();
      ModulatedGuidance.ModulatorCall call =
          eps -> {
            seen.add(eps);
            return new Modulation(scale, shift);
          };
      double w = 3.0;
      Function<ModulationConfig.GuidancePlacement, NDArray> predict =
          placement -> ModulatedGuidance.predict(uncond, cond, w, config(placement, false), call);

      NDArray conditional = predict.apply(ModulationConfig.GuidancePlacement.MODULATE_CONDITIONAL);
      NDArray modulatedCond = cond.add(cond.mul(scale)).add(shift);
      assertClose(conditional, uncond.add(modulatedCond.sub(uncond).mul(w)));
      assertClose(seen.get(0), cond);

      NDArray guided = predict.apply(ModulationConfig.GuidancePlacement.MODULATE_GUIDED);
      NDArray g = uncond.add(cond.sub(uncond).mul(w));
      assertClose(guided, g.add(g.mul(scale)).add(shift));
      assertClose(seen.get(1), g);

      // add the conditional change: the network sees eps_c, its change is added once to eps_g
      NDArray added = predict.apply(ModulationConfig.GuidancePlacement.ADD_CONDITIONAL_CHANGE);
      assertClose(added, g.add(cond.mul(scale)).add(shift));
      assertClose(seen.get(2), cond);

      // unguided: the sketch's steps use the modulated conditional prediction, no guidance
      NDArray free = predict.apply(ModulationConfig.GuidancePlacement.UNGUIDED);
      assertClose(free, modulatedCond);
      assertClose(seen.get(3), cond);

      // without guidance every placement modulates the conditional prediction once
      for (ModulationConfig.GuidancePlacement placement :
          ModulationConfig.GuidancePlacement.values()) {
        NDArray unguided = ModulatedGuidance.predict(null, cond, w, config(placement, false), call);
        assertClose(unguided, modulatedCond);
      }
    }
  }

  @Test
  void placementsAreNamedAsInTheConfig() {
    for (ModulationConfig.GuidancePlacement p : ModulationConfig.GuidancePlacement.values()) {
      assertThat(ModulationConfig.GuidancePlacement.fromName(p.configName())).isEqualTo(p);
      assertThat(dev.sketchreal.io.Json.toJson(p).strip()).isEqualTo("\"" + p.configName() + "\"");
    }
    assertThatThrownBy(() -> ModulationConfig.GuidancePlacement.fromName("guided"))
        .hasMessageContaining("unguided");
  }

  @Test
  void spatialOnlyKeepsTheLayoutPartOfTheChangeAndDropsItsPlaneMean() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray eps = of(m, 0.2f, 0.1f, 0.5f, 0.0f, 0.1f, -0.1f, -0.5f, 0.3f);
      NDArray zero = m.zeros(SHAPE);
      ModulationConfig spatial = config(ModulationConfig.GuidancePlacement.MODULATE_GUIDED, true);

      // a shift that is the same everywhere in a channel only tints the image: removed entirely
      NDArray tint = of(m, 0.3f, 0.3f, 0.3f, 0.3f, -0.2f, -0.2f, -0.2f, -0.2f);
      assertClose(
          ModulatedGuidance.predict(null, eps, 1, spatial, e -> new Modulation(zero, tint)), eps);

      // a shift with a layout: its per-channel mean goes, its pattern stays
      NDArray layout = of(m, 0.4f, 0f, 0f, 0f, 0f, 0f, 0f, 0.8f);
      NDArray out =
          ModulatedGuidance.predict(null, eps, 1, spatial, e -> new Modulation(zero, layout));
      NDArray expected = eps.add(of(m, 0.3f, -0.1f, -0.1f, -0.1f, -0.2f, -0.2f, -0.2f, 0.6f));
      assertClose(out, expected);
    }
  }
}
