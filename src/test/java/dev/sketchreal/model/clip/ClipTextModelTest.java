package dev.sketchreal.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.nn.StateDict;
import dev.sketchreal.nn.TensorSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClipTextModelTest {
  /** vocab 100, 16 wide, 3 layers, 2 heads, 10 positions, EOS 99 (first-EOS pooling). */
  static ClipTextConfig tinyConfig(int eos) {
    return new ClipTextConfig(100, 16, 24, 3, 2, 10, "quick_gelu", 1e-5, 8, 98, eos, 1);
  }

  /** The parameters of a random tiny model as a checkpoint map. */
  private static Map<String, NDArray> checkpoint(NDManager manager, ClipTextConfig config) {
    ClipTextModel model = new ClipTextModel(config, true);
    model.initialize(manager, new SplittableRandom(11));
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    model.namedParameters().forEach((k, p) -> tensors.put(k, p.array()));
    return tensors;
  }

  @Test
  void strictLoadingNamesMissingUnexpectedAndMisshapedKeys() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipTextConfig config = tinyConfig(99);
      Map<String, NDArray> good = checkpoint(manager, config);

      Map<String, NDArray> missing = new LinkedHashMap<>(good);
      missing.remove("text_model.encoder.layers.1.mlp.fc2.bias");
      assertThatThrownBy(() -> load(config, missing, manager))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("missing key")
          .hasMessageContaining("text_model.encoder.layers.1.mlp.fc2.bias");

      Map<String, NDArray> misshaped = new LinkedHashMap<>(good);
      misshaped.put(
          "text_model.encoder.layers.2.self_attn.k_proj.weight", manager.zeros(new Shape(16, 8)));
      assertThatThrownBy(() -> load(config, misshaped, manager))
          .hasMessageContaining("text_model.encoder.layers.2.self_attn.k_proj.weight")
          .hasMessageContaining("(16, 8)");

      Map<String, NDArray> unexpected = new LinkedHashMap<>(good);
      unexpected.put("text_model.encoder.layers.3.layer_norm1.weight", manager.ones(new Shape(16)));
      assertThatThrownBy(() -> load(config, unexpected, manager))
          .hasMessageContaining("unexpected key")
          .hasMessageContaining("text_model.encoder.layers.3.layer_norm1.weight");

      // position_ids buffers (int64 in old checkpoints) and the other tower are ignored.
      Map<String, NDArray> extra = new LinkedHashMap<>(good);
      extra.put("text_model.embeddings.position_ids", manager.arange(0L, 10L).reshape(1, 10));
      extra.put("vision_model.post_layernorm.weight", manager.ones(new Shape(7)));
      extra.put("logit_scale", manager.create(2.5f));
      ClipTextModel loaded = load(config, extra, manager);
      assertThat(loaded.hasProjection()).isTrue();

      Map<String, NDArray> noProjection = new LinkedHashMap<>(good);
      noProjection.remove("text_projection.weight");
      assertThat(load(config, noProjection, manager).hasProjection()).isFalse();
    }
  }

  private static ClipTextModel load(
      ClipTextConfig config, Map<String, NDArray> tensors, NDManager manager) {
    TensorSource source = StateDict.of(tensors, "test checkpoint");
    return ClipTextModel.fromWeights(config, source, manager);
  }

  @Test
  void poolsAtTheFirstEosOrAtArgmaxForTheLegacyEosId() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray ids =
          manager.create(
              new long[][] {
                {98, 5, 99, 99, 99, 99},
                {98, 99, 4, 99, 1, 1},
                {98, 5, 6, 7, 8, 9},
                {98, 99, 3, 2, 2, 2}
              });
      ClipTextModel modern = new ClipTextModel(tinyConfig(99), false);
      assertThat(modern.poolingPositions(ids)).containsExactly(2, 1, 0, 1);
      ClipTextModel legacy = new ClipTextModel(tinyConfig(2), false);
      // argmax: the first maximum of each row (here 99 in rows 0, 1, 3; 98 in row 2).
      assertThat(legacy.poolingPositions(ids)).containsExactly(2, 1, 0, 1);

      modern.initialize(manager, new SplittableRandom(2));
      ClipTextOutput out = modern.forward(ids);
      NDArray expectedRow1 = out.lastHiddenState().get("1, 1, :");
      assertThat(out.pooledOutput().get("1, :").sub(expectedRow1).abs().max().getFloat()).isZero();
      assertThat(out.pooledOutput().getShape()).isEqualTo(new Shape(4, 16));
    }
  }

  @Test
  void clipSkipSelectsTheNormalisedHiddenState() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipTextModel model = new ClipTextModel(tinyConfig(99), false);
      model.initialize(manager, new SplittableRandom(4));
      NDArray ids = manager.create(new long[][] {{98, 10, 20, 99, 0}, {98, 30, 99, 0, 0}});
      ClipTextOutput out = model.forward(ids);
      assertThat(out.hiddenStates()).hasSize(4);
      assertThat(maxDiff(model.encodeForDiffusion(ids, 0), out.lastHiddenState())).isZero();
      assertThat(maxDiff(model.encodeForDiffusion(ids), out.penultimateNormed())).isZero();
      assertThat(model.encodeForDiffusion(ids, 3).getShape()).isEqualTo(new Shape(2, 5, 16));
      assertThatThrownBy(() -> model.encodeForDiffusion(ids, 4))
          .hasMessageContaining("clip skip 4");
      assertThatThrownBy(
              () ->
                  model.forward(
                      manager
                          .zeros(new Shape(1, 11))
                          .toType(ai.djl.ndarray.types.DataType.INT64, false)))
          .hasMessageContaining("max_position_embeddings");
      assertThatThrownBy(() -> model.forward(manager.create(new long[][] {{98, 100}})))
          .hasMessageContaining("token id 100");
    }
  }

  @Test
  void attentionMaskDoesNotChangeThePooledOutput() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipTextModel model = new ClipTextModel(tinyConfig(99), false);
      model.initialize(manager, new SplittableRandom(9));
      NDArray ids =
          manager.create(new long[][] {{98, 10, 20, 99, 99, 99}, {98, 30, 99, 99, 99, 99}});
      NDArray mask = manager.create(new long[][] {{1, 1, 1, 1, 0, 0}, {1, 1, 1, 0, 0, 0}});
      ClipTextOutput plain = model.forward(ids);
      ClipTextOutput masked = model.forward(ids, mask);
      assertThat(maxDiff(plain.pooledOutput(), masked.pooledOutput())).isLessThan(1e-6f);
      assertThat(maxDiff(plain.lastHiddenState(), masked.lastHiddenState())).isGreaterThan(0f);
    }
  }

  private static float maxDiff(NDArray a, NDArray b) {
    return a.sub(b).abs().max().getFloat();
  }
}
