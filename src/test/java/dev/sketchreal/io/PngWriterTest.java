package dev.sketchreal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngWriterTest {
  @TempDir Path dir;

  record Params(String prompt, String negativePrompt, int steps, double cfgScale, long seed) {}

  private static Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("Steps", 25);
    s.put("Sampler", "DDIM");
    s.put("CFG scale", 7.5);
    s.put("Seed", 1);
    s.put("Size", "512x512");
    s.put("Model", "sd2-tiny");
    return s;
  }

  private static float[] gradient(int h, int w) {
    float[] chw = new float[3 * h * w];
    for (int i = 0; i < h * w; i++) {
      chw[i] = i / (float) (h * w);
      chw[h * w + i] = 1 - chw[i];
      chw[2 * h * w + i] = (i % 7) / 6f;
    }
    return chw;
  }

  @Test
  void formatsA1111Parameters() {
    assertThat(PngMetadata.a1111("a house", "blurry", settings()))
        .isEqualTo(
            "a house\nNegative prompt: blurry\n"
                + "Steps: 25, Sampler: DDIM, CFG scale: 7.5, Seed: 1, Size: 512x512, Model: sd2-tiny");
    Map<String, Object> tricky = new LinkedHashMap<>();
    tricky.put("Sketch", "a, b: c");
    assertThat(PngMetadata.a1111("p", "", tricky)).isEqualTo("p\nSketch: \"a, b: c\"");
  }

  @Test
  void roundTripsTextChunksAndPixels() throws Exception {
    Path file = dir.resolve("out.png");
    Params params = new Params("a house", "blurry", 25, 7.5, 1);
    Map<String, String> chunks = PngMetadata.chunks("a house", "blurry", settings(), params);
    float[] chw = gradient(8, 12);
    PngWriter.write(file, chw, 8, 12, chunks);

    Map<String, String> read = PngMetadata.read(file);
    assertThat(read).isEqualTo(chunks);
    assertThat(Json.mapper().readValue(read.get(PngMetadata.JSON_KEY), Params.class))
        .isEqualTo(params);

    BufferedImage back = ImageIO.read(file.toFile());
    assertThat(back.getWidth()).isEqualTo(12);
    assertThat(back.getHeight()).isEqualTo(8);
    int rgb = back.getRGB(5, 3);
    int i = 3 * 12 + 5;
    assertThat((rgb >> 16) & 0xff).isEqualTo((int) Math.rint(chw[i] * 255));
    assertThat((rgb >> 8) & 0xff).isEqualTo((int) Math.rint(chw[96 + i] * 255));
    assertThat(rgb & 0xff).isEqualTo((int) Math.rint(chw[192 + i] * 255));
  }

  @Test
  void utf8PromptUsesItxt() throws Exception {
    Path file = dir.resolve("utf8.png");
    String prompt = "ein Haus am See, 夕焼け 🌅, café";
    Map<String, String> chunks =
        PngMetadata.chunks(prompt, "", settings(), Map.of("prompt", prompt));
    PngWriter.write(file, new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), chunks);
    assertThat(PngMetadata.read(file).get(PngMetadata.PARAMETERS_KEY)).startsWith(prompt + "\n");
    assertThat(PngMetadata.read(file).get(PngMetadata.JSON_KEY)).contains(prompt);
    List<String> types =
        PngChunks.split(file, Files.readAllBytes(file)).stream()
            .map(PngChunks.Chunk::type)
            .toList();
    assertThat(types)
        .containsSubsequence("IHDR", "iTXt", "iTXt", "IDAT", "IEND")
        .doesNotContain("tEXt");
  }

  @Test
  void asciiParametersUseTextAndComeBeforeImageData() throws Exception {
    byte[] png =
        PngWriter.encode(
            new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB),
            PngMetadata.chunks("a house", "", settings(), Map.of()));
    List<String> types =
        PngChunks.split(Path.of("x.png"), png).stream().map(PngChunks.Chunk::type).toList();
    assertThat(types).containsExactly("IHDR", "tEXt", "iTXt", "IDAT", "IEND");
  }

  @Test
  void writesAreByteIdentical() throws Exception {
    Map<String, String> chunks =
        new LinkedHashMap<>(PngMetadata.chunks("a", "b", settings(), Map.of("z", 1, "a", 2)));
    Map<String, String> reordered = new LinkedHashMap<>();
    reordered.put(PngMetadata.JSON_KEY, chunks.get(PngMetadata.JSON_KEY));
    reordered.put(PngMetadata.PARAMETERS_KEY, chunks.get(PngMetadata.PARAMETERS_KEY));
    Path a = dir.resolve("a.png");
    Path b = dir.resolve("b.png");
    PngWriter.write(a, gradient(16, 16), 16, 16, chunks);
    PngWriter.write(b, gradient(16, 16), 16, 16, reordered);
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    PngWriter.write(a, gradient(16, 16), 16, 16, chunks); // overwrite: same bytes again
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
  }

  @Test
  void clampsAndHandlesNaN() {
    float[] chw = {-1f, 2f, Float.NaN, 0.5f, 0.5f, 0.5f};
    BufferedImage img = PngWriter.toImage(chw, 1, 2);
    // planes: R = [-1, 2], G = [NaN, 0.5], B = [0.5, 0.5]; 127.5 rounds to even 128
    assertThat(img.getRGB(0, 0) & 0xffffff).isEqualTo(0x000080);
    assertThat(img.getRGB(1, 0) & 0xffffff).isEqualTo(0xff8080);
    assertThat(PngWriter.toImage(new float[] {0.5f, 0.5f, 0.5f}, 1, 1).getRGB(0, 0) & 0xff)
        .isEqualTo(128);
    assertThatThrownBy(() -> PngWriter.toImage(new float[5], 1, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void flattensTransparencyOntoWhite() throws Exception {
    BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(1, 0, 0xff000000); // opaque black; pixel 0 stays fully transparent
    Path file = dir.resolve("flat.png");
    PngWriter.write(file, argb, Map.of());
    BufferedImage back = ImageIO.read(file.toFile());
    assertThat(back.getColorModel().hasAlpha()).isFalse();
    assertThat(back.getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff);
    assertThat(back.getRGB(1, 0) & 0xffffff).isZero();
  }

  @Test
  void readsZtxtAndCompressedItxtAndRejectsCorruption() throws Exception {
    byte[] png = PngWriter.encode(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), Map.of());
    int afterIhdr = 8 + 25;
    byte[] withZtxt =
        PngChunks.concat(
            java.util.Arrays.copyOf(png, afterIhdr),
            PngChunks.compressedText("Comment", "zipped text"),
            java.util.Arrays.copyOfRange(png, afterIhdr, png.length));
    Path file = Files.write(dir.resolve("z.png"), withZtxt);
    assertThat(PngMetadata.read(file)).containsEntry("Comment", "zipped text");
    assertThat(ImageIO.read(file.toFile())).isNotNull(); // still a valid PNG

    withZtxt[afterIhdr + 10] ^= 1; // inside the zTXt data: CRC no longer matches
    Files.write(file, withZtxt);
    assertThatThrownBy(() -> PngMetadata.read(file))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("bad CRC");
    Files.write(file, "not a png".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> PngMetadata.read(file))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(file.toString());
    Files.write(file, java.util.Arrays.copyOf(png, png.length - 12)); // IEND cut off
    assertThatThrownBy(() -> PngMetadata.read(file)).hasMessageContaining("truncated");
  }

  @Test
  void rejectsInvalidKeyword() {
    BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    assertThatThrownBy(() -> PngWriter.encode(img, Map.of("", "x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PngWriter.encode(img, Map.of("k\u0000", "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
