package dev.sketchreal.sketch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.model.clip.ClipModel;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.testing.FixtureSets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sketch encoder on the fixture CLIP (32 px images, 8 px patches, projection 16). */
class SemanticSketchEncoderTest {
  private static SemanticSketchEncoder encoder(NDManager manager) throws Exception {
    Path set = FixtureSets.all().get(0).dir();
    return new SemanticSketchEncoder(
        ClipModel.load(set.resolve("clip"), manager),
        ClipTokenizer.load(set.resolve("tokenizer")),
        "a sketch of a {}");
  }

  private static NDArray strokes(NDManager m, int size) {
    float[] ink = new float[size * size];
    for (int i = 0; i < size; i++) {
      ink[(size / 2) * size + i] = 1f; // a horizon line
    }
    return m.create(ink, new Shape(1, 1, size, size));
  }

  @Test
  void featuresAreAPatchGridOfProjectedTokens() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      SemanticSketchEncoder e = encoder(m);
      NDArray features = e.features(strokes(m, 64)); // resized to the tower's 32 px
      assertThat(features.getShape()).isEqualTo(new Shape(1, e.featureChannels(), 4, 4));
    }
  }

  @Test
  void segmentationIsMinMaxNormalisedPerClassAndThresholdedAtOneHalf() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      SemanticSketchEncoder e = encoder(m);
      NDArray classes = e.classEmbeddings(List.of("house", "tree", "sun"), m);
      assertThat(classes.getShape()).isEqualTo(new Shape(3, e.featureChannels()));
      float[] norms = classes.norm(new int[] {1}).toFloatArray();
      for (float n : norms) {
        assertThat(n).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
      }
      NDArray s = strokes(m, 32);
      // at patch resolution the min-max normalisation is exact: every class map spans [0, 1]
      NDArray grid = e.segment(s, classes, 4, 4);
      for (int k = 0; k < 3; k++) {
        NDArray map = grid.get("0, " + k);
        assertThat(map.min().getFloat()).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(map.max().getFloat()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
      }
      NDArray up = e.segment(s, classes, 16, 16);
      NDArray masks = e.pseudoMasks(s, classes, 16, 16);
      assertThat(masks.getShape()).isEqualTo(new Shape(1, 3, 16, 16));
      float[] u = up.toFloatArray();
      float[] b = masks.toFloatArray();
      for (int i = 0; i < u.length; i++) {
        assertThat(b[i]).isEqualTo(u[i] >= 0.5f ? 1f : 0f);
      }
    }
  }

  @Test
  void onlyTheLastLayersTrain() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      SemanticSketchEncoder e = encoder(m);
      e.trainLastLayers(1);
      long trainable =
          e.clip().namedParameters().entrySet().stream()
              .filter(p -> p.getValue().isTrainable())
              .peek(p -> assertThat(p.getKey()).startsWith("vision_model.encoder.layers.1."))
              .count();
      assertThat(trainable).isPositive();
    }
  }
}
