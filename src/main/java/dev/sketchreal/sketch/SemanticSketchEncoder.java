package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.model.clip.ClipModel;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.model.clip.ClipVisionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The semantic sketch encoder of SketchingReality: a CLIP ViT trained for open-vocabulary sketch
 * segmentation (a {@code sketch_encoder/} folder in the CLIPModel layout, tokenizer files beside it
 * or in {@code tokenizer/}). It answers "what is where" in a sketch:
 *
 * <ul>
 *   <li>{@link #features}: projected patch tokens of the last layer as a grid (B, P, g, g) — the
 *       input of the modulation network's sketch branch;
 *   <li>{@link #segment}: per-class maps = cosine(patch token, text embedding of the class name),
 *       min-max normalised per class over the patches, bilinearly upsampled;
 *   <li>{@link #pseudoMasks}: those maps thresholded at 0.5 (from the frozen original encoder).
 * </ul>
 *
 * Sketch input convention: a stroke map (B, 1, H, W) in [0, 1] with strokes = 1 on background 0
 * (what the data layer produces after polarity normalisation). It is drawn as dark strokes on white
 * for CLIP, resized to the tower's image size and normalised with CLIP's mean/std.
 */
public final class SemanticSketchEncoder {
  private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
  private static final int BILINEAR = 2;

  private final ClipModel clip;
  private final ClipTokenizer tokenizer;
  private final String classTemplate;

  public SemanticSketchEncoder(ClipModel clip, ClipTokenizer tokenizer, String classTemplate) {
    if (!classTemplate.contains("{}")) {
      throw new IllegalArgumentException("class template must contain {}: " + classTemplate);
    }
    this.clip = clip;
    this.tokenizer = tokenizer;
    this.classTemplate = classTemplate;
  }

  /** Optional settings file of a sketch-encoder folder: {@code {"class_template": "..."}}. */
  public static final String SETTINGS_FILE = "sketch_encoder.json";

  /**
   * Loads a {@code sketch_encoder/} folder; the class prompt is "a sketch of a {}" unless the
   * folder's {@link #SETTINGS_FILE} names another {@code class_template}.
   */
  public static SemanticSketchEncoder load(Path folder, NDManager manager) throws IOException {
    Path tokenizerDir = folder.resolve("tokenizer");
    if (!Files.isDirectory(tokenizerDir)) {
      tokenizerDir = folder;
    }
    String template = "a sketch of a {}";
    Path settings = folder.resolve(SETTINGS_FILE);
    if (Files.isRegularFile(settings)) {
      template = dev.sketchreal.io.Json.readTree(settings).path("class_template").asText(template);
    }
    return new SemanticSketchEncoder(
        ClipModel.load(folder, manager), ClipTokenizer.load(tokenizerDir), template);
  }

  public ClipModel clip() {
    return clip;
  }

  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  /** The class prompt template ("{}" = class name). */
  public String classTemplate() {
    return classTemplate;
  }

  public ClipVisionModel vision() {
    return clip.visionModel();
  }

  /** Number of channels of {@link #features} (the CLIP projection width). */
  public int featureChannels() {
    return clip.config().projectionDim();
  }

  /** Freezes everything, then unfreezes the vision tower's last {@code count} layers. */
  public void trainLastLayers(int count) {
    clip.setTrainable(false);
    clip.visionModel().freezeAllButLastLayers(count);
  }

  /** (B, 1, H, W) stroke map → CLIP pixel values (B, 3, S, S). */
  public NDArray pixelValues(NDArray strokes) {
    int size = clip.visionModel().config().imageSize();
    NDManager m = strokes.getManager();
    NDArray rgb = strokes.mul(-1).add(1).repeat(1, 3); // dark strokes on white
    if (rgb.getShape().get(2) != size || rgb.getShape().get(3) != size) {
      rgb = rgb.getNDArrayInternal().interpolation(new long[] {size, size}, BILINEAR, false);
    }
    NDArray mean = m.create(MEAN, new Shape(1, 3, 1, 1));
    NDArray std = m.create(STD, new Shape(1, 3, 1, 1));
    return rgb.sub(mean).div(std);
  }

  /** Projected last-layer patch tokens as a grid: (B, P, g, g). Differentiable. */
  public NDArray features(NDArray strokes) {
    NDArray tokens = clip.visionModel().patchTokens(pixelValues(strokes)); // (B, N, P)
    return clip.visionModel().toGrid(tokens);
  }

  /** L2-normalised text embeddings of the class names: (K, P). */
  public NDArray classEmbeddings(List<String> classNames, NDManager manager) {
    List<String> prompts = new ArrayList<>();
    for (String name : classNames) {
      prompts.add(classTemplate.replace("{}", name));
    }
    NDArray embeds = clip.textEmbeds(tokenizer.encodeBatch(prompts, manager));
    return embeds.div(embeds.norm(new int[] {1}, true));
  }

  /**
   * Open-vocabulary segmentation: (B, K, height, width) in [0, 1].
   *
   * @param classEmbeddings (K, P) from {@link #classEmbeddings}
   */
  public NDArray segment(NDArray strokes, NDArray classEmbeddings, int height, int width) {
    NDArray tokens = clip.visionModel().patchTokens(pixelValues(strokes)); // (B, N, P)
    NDArray unit = tokens.div(tokens.norm(new int[] {2}, true));
    NDArray cosine = unit.matMul(classEmbeddings.transpose()); // (B, N, K)
    NDArray min = cosine.min(new int[] {1}, true);
    NDArray max = cosine.max(new int[] {1}, true);
    NDArray normed = cosine.sub(min).div(max.sub(min).add(1e-6f)); // per class over patches
    NDArray grid = clip.visionModel().toGrid(normed); // (B, K, g, g)
    return grid.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false);
  }

  /** Binary pseudo ground-truth masks (B, K, height, width): {@link #segment} ≥ 0.5. */
  public NDArray pseudoMasks(NDArray strokes, NDArray classEmbeddings, int height, int width) {
    return segment(strokes, classEmbeddings, height, width)
        .gte(0.5f)
        .toType(DataType.FLOAT32, false);
  }
}
