package dev.sketchreal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.sketchreal.io.ImageFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model shipped in {@code models/sketchworld-mini} loads through the normal loaders and turns a
 * shipped example sketch into an image: a corrupt, truncated or mismatched weight file fails here,
 * in CI, instead of in a user's first command.
 */
class ShippedModelTest {
  private static final Path MODEL = Path.of("models", "sketchworld-mini");
  private static final Path SKETCH = Path.of("examples", "house-fence-clouds.png");
  private static final String PROMPT =
      "a white fence next to a house in a field of grass, some fluffy clouds";
  private static final int STEPS = 10; // leading DDIM: 901 is the one modulated step

  @BeforeAll
  static void shipped() {
    assertThat(MODEL.resolve("model_index.json")).isRegularFile();
    assertThat(SKETCH).isRegularFile();
  }

  private static GenerationRequest request(StableDiffusion sd) {
    int size = sd.defaultImageSize();
    return new GenerationRequest(PROMPT, "", 7, STEPS, 7.5, size, size, 0);
  }

  @Test
  void sketchAndPromptGiveAPlausibleImageThatTheSketchChanged() throws Exception {
    try (SketchingRealityModel model = SketchingRealityModel.load(MODEL);
        NDManager manager = model.backbone().manager().newSubManager()) {
      GenerationRequest request = request(model.backbone());
      SketchToImage pipeline = new SketchToImage(model);
      GeneratedImage withSketch =
          pipeline.generate(
              request,
              SketchInput.strokes(ImageFiles.read(SKETCH), manager),
              SketchToImage.SketchSettings.DEFAULT,
              ProgressListener.NONE,
              Cancellation.NEVER);
      GeneratedImage textOnly =
          new TextToImage(model.backbone())
              .generate(request, ProgressListener.NONE, Cancellation.NEVER);

      assertThat(withSketch.width()).isEqualTo(model.backbone().defaultImageSize());
      assertThat(withSketch.height()).isEqualTo(withSketch.width());
      assertPlausible(withSketch.pixels());
      assertPlausible(textOnly.pixels());
      // a trained modulator moves the image away from the text-only one at the same seed
      assertThat(meanAbsoluteDifference(withSketch.pixels(), textOnly.pixels()))
          .isGreaterThan(0.01);
    }
  }

  @Test
  void theModelCardNamesEveryComponentFolder() throws Exception {
    String card = Files.readString(MODEL.resolve("README.md"));
    for (String component :
        new String[] {
          "tokenizer", "text_encoder", "vae", "unet", "scheduler", "sketch_encoder", "modulation"
        }) {
      assertThat(MODEL.resolve(component)).isDirectory();
      assertThat(card).contains(component);
    }
  }

  /** Values in [0, 1], finite, and not one flat colour (a dead decoder gives a constant). */
  private static void assertPlausible(float[] pixels) {
    double sum = 0;
    double sumSq = 0;
    for (float p : pixels) {
      assertThat(p).isBetween(0f, 1f);
      sum += p;
      sumSq += (double) p * p;
    }
    double mean = sum / pixels.length;
    double std = Math.sqrt(Math.max(0, sumSq / pixels.length - mean * mean));
    assertThat(std).isGreaterThan(0.05);
  }

  private static double meanAbsoluteDifference(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum / a.length;
  }
}
