package dev.sketchreal.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.runtime.Compute;
import dev.sketchreal.sketch.SemanticSketchEncoder;
import dev.sketchreal.testing.TinySketchWorld;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SketchEncoderTrainingTest {
  @TempDir static Path shared;
  static Path data;

  @BeforeAll
  static void data() {
    data = TinySketchWorld.write(shared.resolve("sw"), 2);
  }

  @TempDir Path tmp;

  static SketchEncoderTrainingConfig config(int steps, int every) throws Exception {
    JsonNode clip =
        Json.mapper()
            .readTree(
                "{\"projection_dim\": 16, \"text_config\": {\"hidden_size\": 16,"
                    + " \"intermediate_size\": 32, \"num_hidden_layers\": 1,"
                    + " \"num_attention_heads\": 2}, \"vision_config\": {\"hidden_size\": 16,"
                    + " \"intermediate_size\": 32, \"num_hidden_layers\": 2,"
                    + " \"num_attention_heads\": 2, \"image_size\": 32, \"patch_size\": 8}}");
    return new SketchEncoderTrainingConfig(
        steps, 2, 3e-3, 0, 0.0, 10.0, 1.0, 0.5, null, null, 9L, every, 3, 0, clip);
  }

  private static SketchEncoderTraining.Result train(
      SketchEncoderTrainingConfig c, Path out, boolean resume) throws Exception {
    return new SketchEncoderTraining(c, SketchWorldDataset.open(data, "all", false), null)
        .run(out, resume, false, new PrintStream(new ByteArrayOutputStream()));
  }

  static List<Double> losses(Path out) throws Exception {
    List<Double> out2 = new ArrayList<>();
    for (String l : Files.readAllLines(out.resolve("train.jsonl"))) {
      out2.add(Json.mapper().readTree(l).path("loss").path("total").asDouble());
    }
    return out2;
  }

  @Test
  void lossGoesDownResumeIsExactAndTheFolderLoads() throws Exception {
    Path a = tmp.resolve("a");
    train(config(6, 3), a, false);
    List<Double> la = losses(a);
    assertThat(la).hasSize(6);
    assertThat(la.get(5)).isLessThan(la.get(0));

    Path b = tmp.resolve("b");
    train(config(6, 3), b, false);
    try (Stream<Path> s = Files.walk(b.resolve("checkpoints/step-00000006"))) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    assertThat(train(config(6, 3), b, true).step()).isEqualTo(6);
    // The resumed run restores weights, AdamW moments and the step's RNG exactly; the comparison
    // allows for BLAS (MKL sgemm) results that differ in the last bits between runs of one JVM.
    List<Double> lb = losses(b);
    assertThat(lb).hasSize(6);
    for (int i = 0; i < 6; i++) {
      assertThat(lb.get(i))
          .as("step " + (i + 1))
          .isCloseTo(la.get(i), within(1e-4 * (1 + la.get(i))));
    }
    try (NDManager m = Compute.newManager();
        SafetensorsFile fa = SafetensorsFile.open(a.resolve("model.safetensors"));
        SafetensorsFile fb = SafetensorsFile.open(b.resolve("model.safetensors"))) {
      assertThat(fb.tensors().keySet()).isEqualTo(fa.tensors().keySet());
      for (String k : fa.tensors().keySet()) {
        float[] x = fa.loadFloat32(k, m).toFloatArray();
        float[] y = fb.loadFloat32(k, m).toFloatArray();
        for (int i = 0; i < x.length; i++) {
          assertThat(y[i]).as(k + "[" + i + "]").isCloseTo(x[i], within(1e-4f));
        }
      }
    }

    // the exported folder is a CLIPModel folder the pipeline's encoder loads
    try (NDManager m = Compute.newManager()) {
      SemanticSketchEncoder enc = SemanticSketchEncoder.load(a, m);
      NDArray classes = enc.classEmbeddings(List.of("sun", "house"), m);
      NDArray strokes = m.randomUniform(0, 1, new Shape(1, 1, 40, 40));
      NDArray masks = enc.pseudoMasks(strokes, classes, 40, 40);
      assertThat(masks.getShape()).isEqualTo(new Shape(1, 2, 40, 40));
      assertThat(enc.features(strokes).getShape()).isEqualTo(new Shape(1, 16, 4, 4));
    }
  }

  @Test
  void miniVocabularyTokenizesClassWordsAsSingleTokens() throws Exception {
    MiniVocabulary.Info info =
        MiniVocabulary.write(tmp.resolve("tok"), List.of("a", "sketch", "of", "tree", "trees"), 16);
    ClipTokenizer tok = ClipTokenizer.load(tmp.resolve("tok"));
    assertThat(tok.vocabSize()).isEqualTo(info.vocabSize());
    assertThat(tok.bosId()).isEqualTo(info.bosId());
    assertThat(tok.eosId()).isEqualTo(info.eosId());
    long[] ids = tok.encode("a sketch of a tree").idsAsLong();
    assertThat(ids).hasSize(16);
    // BOS, a, sketch, of, a, tree, EOS, padding
    assertThat(ids[0]).isEqualTo(info.bosId());
    assertThat(ids[6]).isEqualTo(info.eosId());
    assertThat(ids[1]).isEqualTo(ids[4]);
    // unseen words still tokenize (into byte-level pieces)
    assertThat(tok.encode("a zebra").idsAsLong()[1]).isLessThan(info.bosId());
  }
}
