package dev.sketchreal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.io.PngMetadata;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.pipeline.TinySketchModel;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.testing.FixtureSets;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sketchreal generate} end to end on the tiny fixture model. */
class GenerateCommandTest {
  @TempDir Path tmp;

  private static Path model() {
    return FixtureSets.all().get(0).dir();
  }

  /** Runs the CLI, returning the exit code; stderr is captured into {@code err}. */
  private int run(ByteArrayOutputStream err, String... args) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Main.run(args);
    } finally {
      System.setErr(old);
    }
  }

  @Test
  void sameSeedGivesSameBytesAndThePngCarriesItsParameters() throws Exception {
    Path a = tmp.resolve("a.png");
    Path b = tmp.resolve("b.png");
    String[] common = {
      "generate",
      "--model",
      model().toString(),
      "--prompt",
      "a house",
      "--seed",
      "1",
      "--steps",
      "4"
    };
    assertThat(run(new ByteArrayOutputStream(), concat(common, "--out", a.toString()))).isZero();
    assertThat(run(new ByteArrayOutputStream(), concat(common, "--out", b.toString()))).isZero();
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    Map<String, String> text = PngMetadata.read(a);
    assertThat(text.get("parameters")).startsWith("a house\n").contains("Seed: 1", "Steps: 4");
    assertThat(text.get("sketchreal")).contains("\"seed\" : 1", "\"prompt\" : \"a house\"");
  }

  @Test
  void differentSeedsGiveDifferentImages() throws Exception {
    Path a = tmp.resolve("a.png");
    Path b = tmp.resolve("b.png");
    String[] common = {
      "generate", "--model", model().toString(), "--prompt", "a car", "--steps", "3"
    };
    run(new ByteArrayOutputStream(), concat(common, "--seed", "1", "--out", a.toString()));
    run(new ByteArrayOutputStream(), concat(common, "--seed", "2", "--out", b.toString()));
    assertThat(Files.readAllBytes(a)).isNotEqualTo(Files.readAllBytes(b));
  }

  @Test
  void sketchGenerationWritesAnImageWithTheSketchInItsParameters() throws Exception {
    Path folder =
        TinySketchModel.create(
            tmp.resolve("model"),
            TinySketchModel.config(ModulationConfig.Variant.SEMANTIC_BRANCHES),
            true);
    Path sketch = tmp.resolve("sketch.png");
    BufferedImage drawing = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = drawing.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 40, 40);
    g.setColor(Color.BLACK);
    g.drawOval(5, 5, 20, 20);
    g.dispose();
    ImageIO.write(drawing, "png", sketch.toFile());
    Path out = tmp.resolve("s.png");
    int code =
        run(
            new ByteArrayOutputStream(),
            "generate",
            "--model",
            folder.toString(),
            "--sketch",
            sketch.toString(),
            "--prompt",
            "a sun",
            "--seed",
            "3",
            "--steps",
            "4",
            "--sketch-strength",
            "0.5",
            "--sketch-spatial-only",
            "--guidance-placement",
            "unguided",
            "--out",
            out.toString());
    assertThat(code).isZero();
    Map<String, String> text = PngMetadata.read(out);
    assertThat(text.get("parameters"))
        .contains(
            "Sketch: sketch.png",
            "Sketch strength: 0.5",
            "Spatial only: true",
            "Guidance placement: unguided");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path other = tmp.resolve("t.png");
    int bad =
        run(
            err,
            "generate",
            "--model",
            folder.toString(),
            "--sketch",
            sketch.toString(),
            "--prompt",
            "a sun",
            "--guidance-placement",
            "sideways",
            "--out",
            other.toString());
    assertThat(bad).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("sideways", "unguided");
    assertThat(other).doesNotExist();
  }

  @Test
  void aCorruptSketchIsNamedAndNothingIsWritten() throws Exception {
    Path sketch = tmp.resolve("bad.png");
    Files.write(sketch, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Path out = tmp.resolve("x.png");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        run(
            err,
            "generate",
            "--model",
            model().toString(),
            "--sketch",
            sketch.toString(),
            "--prompt",
            "a",
            "--out",
            out.toString());
    assertThat(code).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad.png");
    assertThat(out).doesNotExist();
  }

  @Test
  void sketchWithATextOnlyModelSaysSo() throws Exception {
    Path sketch = tmp.resolve("s.png");
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", sketch.toFile());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        run(
            err,
            "generate",
            "--model",
            model().toString(),
            "--sketch",
            sketch.toString(),
            "--prompt",
            "a",
            "--out",
            tmp.resolve("x.png").toString());
    assertThat(code).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("text-to-image only");
  }

  @Test
  void missingModelFolderIsOneClearErrorAndNoFile() {
    Path out = tmp.resolve("x.png");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        run(
            err,
            "generate",
            "--model",
            tmp.resolve("nope").toString(),
            "--prompt",
            "a",
            "--out",
            out.toString());
    assertThat(code).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("error:").contains("nope");
    assertThat(out).doesNotExist();
  }

  @Test
  void sizeNotMultipleOfTheVaeFactorIsRejected() {
    Path out = tmp.resolve("x.png");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        run(
            err,
            "generate",
            "--model",
            model().toString(),
            "--prompt",
            "a",
            "--width",
            "17",
            "--out",
            out.toString());
    assertThat(code).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("multiples of");
    assertThat(out).doesNotExist();
  }

  @Test
  void corruptWeightsAreNamed() throws Exception {
    Path copy = tmp.resolve("model");
    TinySketchModel.copyTree(model(), copy);
    Path weights = copy.resolve("unet/diffusion_pytorch_model.safetensors");
    Files.write(weights, new byte[] {1, 2, 3});
    Path out = tmp.resolve("x.png");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        run(err, "generate", "--model", copy.toString(), "--prompt", "a", "--out", out.toString());
    assertThat(code).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("diffusion_pytorch_model.safetensors");
    assertThat(out).doesNotExist();
  }

  @Test
  void nanWeightsGiveAClearErrorAndNoFile() throws Exception {
    Path copy = tmp.resolve("model");
    TinySketchModel.copyTree(model(), copy);
    Path vae = copy.resolve("vae/diffusion_pytorch_model.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new java.util.TreeMap<>();
      try (SafetensorsFile file = SafetensorsFile.open(vae)) {
        for (String key : file.tensors().keySet()) {
          tensors.put(key, file.load(key, manager));
        }
      }
      NDArray bias = tensors.get("decoder.conv_out.bias");
      tensors.put("decoder.conv_out.bias", bias.add(Float.NaN));
      SafetensorsWriter.write(vae, tensors, Map.of());
    }
    Path out = tmp.resolve("x.png");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        run(
            err,
            "generate",
            "--model",
            copy.toString(),
            "--prompt",
            "a",
            "--steps",
            "2",
            "--out",
            out.toString());
    assertThat(code).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("non-finite");
    assertThat(out).doesNotExist();
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
