package dev.sketchreal.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.sketch.ModulationConfig.Variant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModulationNetworkTest {

  static ModulationConfig small(Variant variant) {
    return ModulationConfig.builder()
        .variant(variant)
        .hiddenChannels(16)
        .timeEmbeddingDim(16)
        .build();
  }

  /** The variant's sketch input: features (any grid), a VAE latent, or raw pixels. */
  static NDArray sketchInput(NDManager m, ModulationConfig c, SplittableRandom r, long h, long w) {
    return switch (c.variant()) {
      case SEMANTIC_BRANCHES -> TinyBackbone.normal(m, r, 2, c.featureChannels(), 5, 7);
      case VAE_SHARED_BRANCH -> TinyBackbone.normal(m, r, 2, c.featureChannels(), h, w);
      case RAW_SKETCH_UNET -> TinyBackbone.normal(m, r, 2, c.featureChannels(), 8 * h, 8 * w);
    };
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void untrainedModulatorIsExactlyTheIdentity(Variant variant) {
    ModulationConfig config = small(variant);
    try (NDManager m = NDManager.newBaseManager()) {
      SketchModulator mod = SketchModulator.create(config);
      mod.module().initialize(m, new SplittableRandom(1));
      SplittableRandom r = new SplittableRandom(2);
      for (long[] size : new long[][] {{8, 8}, {16, 16}, {6, 10}}) {
        NDArray zt = TinyBackbone.normal(m, r, 2, 4, size[0], size[1]);
        NDArray eps = TinyBackbone.normal(m, r, 2, 4, size[0], size[1]);
        NDArray sketch = sketchInput(m, config, r, size[0], size[1]);
        Modulation out = mod.forward(sketch, zt, eps, m.create(new int[] {950, 910}));
        assertThat(out.scale().getShape()).isEqualTo(new Shape(2, 4, size[0], size[1]));
        assertThat(out.shift().getShape()).isEqualTo(new Shape(2, 4, size[0], size[1]));
        assertThat(out.scale().toFloatArray()).containsOnly(0f);
        assertThat(out.shift().toFloatArray()).containsOnly(0f);
        assertThat(out.apply(eps).toFloatArray()).containsExactly(eps.toFloatArray());
        assertThat(out.apply(eps, 3.0).toFloatArray()).containsExactly(eps.toFloatArray());
      }
    }
  }

  @Test
  void methodNetworkHasThreeIndependentBranchesAndZeroHeads() {
    ModulationNetwork net = new ModulationNetwork(ModulationConfig.defaults());
    assertThat(net.children())
        .containsOnlyKeys("sketch_branch", "latent_branch", "eps_branch", "trunk");
    assertThat(net.namedParameters())
        .containsKeys(
            "sketch_branch.conv_in.weight",
            "sketch_branch.down.2.conv.weight",
            "trunk.film.weight",
            "trunk.up.2.conv.weight",
            "trunk.scale_head.weight",
            "trunk.shift_head.bias");
    assertThat(net.namedParameters().get("sketch_branch.conv_in.weight").shape())
        .isEqualTo(new Shape(64, 768, 1, 1));
    assertThat(net.parameterCount()).isBetween(200_000L, 1_000_000L);
  }

  @Test
  void sketchSkipsFeedTheSketchLevelsIntoTheUpPathAndStartAsTheIdentity() {
    ModulationConfig config =
        small(Variant.SEMANTIC_BRANCHES).toBuilder().stages(1).sketchSkips(true).build();
    ModulationNetwork net = new ModulationNetwork(config);
    // the up stage sees its own 16 channels plus the sketch level's 16
    ModulationNetwork plain =
        new ModulationNetwork(small(Variant.SEMANTIC_BRANCHES).toBuilder().stages(1).build());
    assertThat(net.parameterCount()).isGreaterThan(plain.parameterCount());
    try (NDManager m = NDManager.newBaseManager()) {
      net.initialize(m, new SplittableRandom(1));
      SplittableRandom r = new SplittableRandom(2);
      for (long[] size : new long[][] {{16, 16}, {7, 10}}) {
        NDArray zt = TinyBackbone.normal(m, r, 2, 4, size[0], size[1]);
        NDArray eps = TinyBackbone.normal(m, r, 2, 4, size[0], size[1]);
        NDArray sketch = sketchInput(m, config, r, size[0], size[1]);
        Modulation out = net.forward(sketch, zt, eps, m.create(new int[] {950, 910}));
        assertThat(out.scale().getShape()).isEqualTo(new Shape(2, 4, size[0], size[1]));
        assertThat(out.apply(eps).toFloatArray()).containsExactly(eps.toFloatArray());
      }
    }
    assertThat(ModulationConfig.defaults().sketchSkips()).isFalse();
  }

  @Test
  void textChannelsLetTheCaptionChangeTheModulationStartingFromNoChangeAtAll() {
    ModulationConfig config = small(Variant.SEMANTIC_BRANCHES).toBuilder().textChannels(12).build();
    ModulationNetwork net = new ModulationNetwork(config);
    assertThat(net.namedParameters().get("text_proj.weight").shape())
        .isEqualTo(new Shape(16, 12)); // onto the 16-wide timestep embedding
    try (NDManager m = NDManager.newBaseManager()) {
      net.initialize(m, new SplittableRandom(1));
      perturb(m, net, "trunk.scale_head.weight"); // a network with a non-zero output
      SplittableRandom r = new SplittableRandom(2);
      NDArray zt = TinyBackbone.normal(m, r, 2, 4, 8, 8);
      NDArray eps = TinyBackbone.normal(m, r, 2, 4, 8, 8);
      NDArray sketch = sketchInput(m, config, r, 8, 8);
      NDArray t = m.create(new int[] {950, 910});
      NDArray text = TinyBackbone.normal(m, r, 2, 5, 12);
      float[] without = net.forward(sketch, zt, eps, t).scale().toFloatArray();
      // the zero-initialised projection: a text-conditioned start is the text-free network
      assertThat(net.forward(sketch, zt, eps, t, text).scale().toFloatArray()).isEqualTo(without);
      perturb(m, net, "text_proj.weight");
      float[] with = net.forward(sketch, zt, eps, t, text).scale().toFloatArray();
      float[] other =
          net.forward(sketch, zt, eps, t, TinyBackbone.normal(m, r, 2, 5, 12))
              .scale()
              .toFloatArray();
      assertThat(with).isNotEqualTo(without).isNotEqualTo(other);
      assertThatThrownBy(() -> net.forward(sketch, zt, eps, t, TinyBackbone.normal(m, r, 2, 5, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("text hidden states must be (2, tokens, 12)");
    }
    assertThatThrownBy(
            () ->
                SketchModulator.create(
                    small(Variant.VAE_SHARED_BRANCH).toBuilder().textChannels(12).build()))
        .hasMessageContaining("text_channels");
    assertThat(ModulationConfig.defaults().textChannels()).isZero();
  }

  private static void perturb(NDManager m, ModulationNetwork net, String name) {
    var p = net.namedParameters().get(name);
    p.set(TinyBackbone.normal(m, new SplittableRandom(name.length()), p.shape().getShape()));
  }

  @Test
  void modulateScalesAndShiftsWithStrength() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray eps = m.create(new float[] {1, -2, 3, 0.5f});
      NDArray s = m.create(new float[] {0.5f, 1, -1, 2});
      NDArray b = m.create(new float[] {1, 0, 2, -1});
      assertThat(Modulation.modulate(eps, s, b, 1).toFloatArray())
          .containsExactly(2.5f, -4f, 2f, 0.5f);
      // strength 0.5: eps·(1 + 0.5·S) + 0.5·B
      assertThat(Modulation.modulate(eps, s, b, 0.5).toFloatArray())
          .containsExactly(1.75f, -3f, 2.5f, 0.5f);
    }
  }

  @Test
  void configReadsSnakeCaseWithDefaultsAndValidates() throws Exception {
    ObjectMapper om = new ObjectMapper();
    ModulationConfig c =
        om.readValue(
            "{\"variant\":\"raw_sketch_unet\",\"hidden_channels\":32,\"t_attn\":5,"
                + "\"guidance_placement\":\"modulate_guided\"}",
            ModulationConfig.class);
    assertThat(c.variant()).isEqualTo(Variant.RAW_SKETCH_UNET);
    assertThat(c.featureChannels()).isEqualTo(1);
    assertThat(c.hiddenChannels()).isEqualTo(32);
    assertThat(c.stages()).isEqualTo(3);
    assertThat(c.modulationFraction()).isEqualTo(0.1);
    assertThat(c.lambdaRegAttn()).isEqualTo(0.1);
    assertThat(c.lambdaRegL1()).isEqualTo(0.1);
    assertThat(c.tAttn()).isEqualTo(5);
    assertThat(c.guidancePlacement()).isEqualTo(ModulationConfig.GuidancePlacement.MODULATE_GUIDED);
    ModulationConfig back = om.readValue(om.writeValueAsString(c), ModulationConfig.class);
    assertThat(back).isEqualTo(c);
    assertThat(om.writeValueAsString(c)).contains("\"lambda_reg_attn\":0.1");
    assertThat(c.firstModulatedTimestep(1000)).isEqualTo(900);
    assertThat(c.modulates(900, 1000)).isTrue();
    assertThat(c.modulates(899, 1000)).isFalse();
    assertThatThrownBy(() -> om.readValue("{\"modulation_fraction\":0}", ModulationConfig.class))
        .hasMessageContaining("modulation_fraction");
    assertThatThrownBy(() -> ModulationConfig.builder().lambdaAttn(-1).build())
        .hasMessageContaining("lambda_attn");
  }

  @Test
  void wrongInputShapesFailWithAClearMessage() {
    try (NDManager m = NDManager.newBaseManager()) {
      SketchModulator mod = SketchModulator.create(small(Variant.SEMANTIC_BRANCHES));
      mod.module().initialize(m, new SplittableRandom(1));
      NDArray zt = m.zeros(new Shape(1, 4, 8, 8));
      assertThatThrownBy(
              () -> mod.forward(m.zeros(new Shape(1, 3, 4, 4)), zt, zt, m.create(new int[] {950})))
          .hasMessageContaining("sketch features");
      assertThatThrownBy(
              () ->
                  mod.forward(
                      m.zeros(new Shape(1, 768, 4, 4)),
                      zt,
                      m.zeros(new Shape(1, 4, 4, 4)),
                      m.create(new int[] {950})))
          .hasMessageContaining("eps");
    }
  }

  @Test
  void resizeAreaAveragesWindowsAndSpaceToDepthFoldsPatches() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.arange(16f).reshape(1, 1, 4, 4);
      assertThat(Resize.area(x, 2, 2).toFloatArray()).containsExactly(2.5f, 4.5f, 10.5f, 12.5f);
      NDArray folded = Resize.spaceToDepth(x, 2); // (1, 4, 2, 2)
      assertThat(folded.getShape()).isEqualTo(new Shape(1, 4, 2, 2));
      // channel (dy, dx) = (0, 1) holds the top-right pixel of each 2×2 patch
      assertThat(folded.get("0, 1").toFloatArray()).containsExactly(1f, 3f, 9f, 11f);
    }
  }
}
