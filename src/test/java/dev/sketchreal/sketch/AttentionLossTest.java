package dev.sketchreal.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.nn.AttentionMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AttentionLossTest {
  private static final double LAMBDA_REG = 0.1;

  /** (1 − inside/total)² − λ·inside/area, written out for the hand computation. */
  private static double term(double inside, double total, double area) {
    double miss = 1 - inside / total;
    return miss * miss - LAMBDA_REG * inside / area;
  }

  @Test
  void equalsHandComputationOnTwoLayersWithAreaResizedSoftMasks() {
    try (NDManager m = NDManager.newBaseManager()) {
      // Sample 0, latent 4×4. Region A (token 1): the top-left 2×2 block plus pixel (0, 2).
      float[] maskA = new float[16];
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 2; x++) {
          maskA[y * 4 + x] = 1;
        }
      }
      maskA[2] = 1;
      // Region B (tokens 2 and 3, a two-token word): the bottom row.
      float[] maskB = new float[16];
      for (int x = 0; x < 4; x++) {
        maskB[12 + x] = 1;
      }
      List<List<TokenRegion>> regions =
          List.of(
              List.of(
                  TokenRegion.of(new int[] {1}, maskA, 4, 4, m),
                  TokenRegion.of(new int[] {2, 3}, maskB, 4, 4, m)),
              List.of()); // sample 1 names no region: contributes nothing
      AttentionLoss.RegionMasks masks = AttentionLoss.dense(regions, 4, m);
      assertThat(masks.activeCount()).isEqualTo(3);

      // Layer 1 at 2×2 (area-resized weights: A = [1, 0.25, 0, 0], B = [0, 0, 0.5, 0.5]).
      float[] coarse = {
        0.1f, 0.6f, 0.2f, 0.1f, //
        0.25f, 0.25f, 0.25f, 0.25f, //
        0.4f, 0.1f, 0.3f, 0.2f, //
        0.7f, 0.1f, 0.1f, 0.1f
      };
      NDArray coarseProbs =
          m.create(coarse, new Shape(1, 4, 4)).concat(random(m, 1, 4, 4), 0); // (2, 4, 4)
      // Layer 2 at 4×4 (identity resize), recorded per head; the heads average to 0.25.
      float[] heads = new float[2 * 16 * 4];
      for (int p = 0; p < 16; p++) {
        for (int t = 0; t < 4; t++) {
          heads[p * 4 + t] = 0.1f * (t + 1);
          heads[64 + p * 4 + t] = 0.1f * (4 - t);
        }
      }
      NDArray fineProbs = m.create(heads, new Shape(1, 2, 16, 4)).concat(random(m, 1, 2, 16, 4), 0);
      List<AttentionMap> maps =
          List.of(
              new AttentionMap(
                  "mid_block.attentions.0.transformer_blocks.0.attn2", 2, 2, 1, coarseProbs),
              new AttentionMap(
                  "up_blocks.1.attentions.0.transformer_blocks.0.attn2", 4, 4, 2, fineProbs));

      double coarseTerms =
          term(1 * 0.6 + 0.25 * 0.25, 0.6 + 0.25 + 0.1 + 0.1, 1.25) // token 1
              + term(0.5 * 0.3 + 0.5 * 0.1, 0.2 + 0.25 + 0.3 + 0.1, 1.0) // token 2
              + term(0.5 * 0.2 + 0.5 * 0.1, 0.1 + 0.25 + 0.2 + 0.1, 1.0); // token 3
      double fineTerms =
          term(5 * 0.25, 16 * 0.25, 5) // token 1: 5 pixels
              + term(4 * 0.25, 16 * 0.25, 4) // token 2: bottom row
              + term(4 * 0.25, 16 * 0.25, 4); // token 3
      double expected = (coarseTerms + fineTerms) / (2 * 3);

      NDArray loss = AttentionLoss.fromMaps(maps, masks, LAMBDA_REG);
      assertThat(loss.getShape().isScalar()).isTrue();
      assertThat((double) loss.getFloat()).isCloseTo(expected, within(1e-6));
    }
  }

  @Test
  void attentionFullyInsideTheRegionGivesOnlyTheRewardTerm() {
    try (NDManager m = NDManager.newBaseManager()) {
      // 2×2 layer, 2 tokens; token 1 attends only to pixel 0, which is its whole region.
      float[] probs = {0, 1, 1, 0, 1, 0, 1, 0};
      float[] mask = {1, 0, 0, 0};
      AttentionLoss.RegionMasks masks =
          AttentionLoss.dense(List.of(List.of(TokenRegion.of(new int[] {1}, mask, 2, 2, m))), 2, m);
      NDArray loss =
          AttentionLoss.fromMaps(
              List.of(new AttentionMap("a", 2, 2, 1, m.create(probs, new Shape(1, 4, 2)))),
              masks,
              LAMBDA_REG);
      assertThat((double) loss.getFloat()).isCloseTo(-LAMBDA_REG * 1.0, within(1e-7));
    }
  }

  @Test
  void batchWithoutRegionsGivesZeroAndDuplicateTokensFail() {
    try (NDManager m = NDManager.newBaseManager()) {
      AttentionLoss.RegionMasks none = AttentionLoss.dense(List.of(List.of(), List.of()), 3, m);
      NDArray probs = random(m, 2, 4, 3);
      NDArray loss =
          AttentionLoss.fromMaps(List.of(new AttentionMap("a", 2, 2, 1, probs)), none, LAMBDA_REG);
      assertThat(loss.getFloat()).isEqualTo(0f);
      float[] mask = {1, 0, 0, 0};
      assertThatThrownBy(
              () ->
                  AttentionLoss.dense(
                      List.of(
                          List.of(
                              TokenRegion.of(new int[] {1}, mask, 2, 2, m),
                              TokenRegion.of(new int[] {1, 2}, mask, 2, 2, m))),
                      3,
                      m))
          .hasMessageContaining("token 1 has two regions");
    }
  }

  @Test
  void defaultSelectionKeepsTheTwoCoarsestResolutions() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray dummy = m.zeros(new Shape(1));
      List<AttentionMap> maps =
          List.of(
              new AttentionMap("down_blocks.0.a", 16, 16, 1, dummy),
              new AttentionMap("down_blocks.1.a", 8, 8, 1, dummy),
              new AttentionMap("down_blocks.2.a", 4, 4, 1, dummy),
              new AttentionMap("mid_block.a", 4, 4, 1, dummy),
              new AttentionMap("up_blocks.1.a", 4, 4, 1, dummy),
              new AttentionMap("up_blocks.2.a", 8, 8, 1, dummy),
              new AttentionMap("up_blocks.3.a", 16, 16, 1, dummy));
      List<String> kept =
          AttentionLoss.selectLayers(maps, ModulationConfig.defaults()).stream()
              .map(AttentionMap::modulePath)
              .toList();
      assertThat(kept)
          .containsExactly(
              "down_blocks.1.a",
              "down_blocks.2.a",
              "mid_block.a",
              "up_blocks.1.a",
              "up_blocks.2.a");
      ModulationConfig explicit =
          ModulationConfig.builder().attnLayers(List.of("mid_block.a")).build();
      assertThat(AttentionLoss.selectLayers(maps, explicit)).hasSize(1);
      ModulationConfig missing = ModulationConfig.builder().attnLayers(List.of("nope")).build();
      assertThatThrownBy(() -> AttentionLoss.selectLayers(maps, missing))
          .hasMessageContaining("'nope' was not recorded");
    }
  }

  /** Random rows normalised to sum 1 over the last axis. */
  private static NDArray random(NDManager m, long... shape) {
    NDArray x = TinyBackbone.normal(m, new SplittableRandom(7), shape).exp();
    return x.div(x.sum(new int[] {shape.length - 1}, true));
  }
}
