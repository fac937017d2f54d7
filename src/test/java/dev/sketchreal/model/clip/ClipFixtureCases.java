package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;

/**
 * The CLIP reference cases of one fixture set: runs the text encoder, image encoder and CLIPModel
 * of the set on its inputs and compares every {@code text.*}, {@code vision.*} and {@code clip.*}
 * tensor of the manifest (except inputs) with |actual − expected| ≤ atol + rtol·|expected|, using
 * the manifest's recommended tolerances. A tensor name without a known computation fails the case,
 * so new expectations are never skipped silently. Failures list every mismatching tensor with its
 * max abs difference.
 *
 * <p>Each {@code check*} method aborts (JUnit assumption) when the set has no such component.
 */
public final class ClipFixtureCases {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = Json.mapper();

  private ClipFixtureCases() {}

  /** {@code text.*}: CLIPTextModel outputs of {@code text_encoder/}. */
  public static void checkText(Path set) throws IOException {
    try (Case c = Case.open(set, "text_encoder")) {
      ClipTextModel model = ClipTextModel.load(c.folder, c.manager);
      NDArray ids = c.input("text.in.input_ids");
      ClipTextOutput out = model.forward(ids);
      c.compareGroup(
          "text.",
          name -> {
            if (name.equals("text.out.last_hidden_state")) {
              return out.lastHiddenState();
            } else if (name.equals("text.out.pooler_output")) {
              return out.pooledOutput();
            } else if (name.equals("text.out.penultimate_normed")) {
              return out.penultimateNormed();
            } else if (name.startsWith("text.out.hidden_states.")) {
              return indexed(out.hiddenStates(), name, "text.out.hidden_states.");
            }
            return null;
          });
      // The pipeline-facing entry points give the same tensors.
      c.compareIfPresent("text.out.penultimate_normed", model.encodeForDiffusion(ids, 1));
      c.compareIfPresent("text.out.last_hidden_state", model.encodeForDiffusion(ids, 0));
      c.finish();
    }
  }

  /** {@code vision.*}: CLIPVisionModelWithProjection outputs of {@code image_encoder/}. */
  public static void checkVision(Path set) throws IOException {
    try (Case c = Case.open(set, "image_encoder")) {
      ClipVisionModel model = ClipVisionModel.load(c.folder, c.manager);
      ClipVisionOutput out = model.forward(c.input("vision.in.pixel_values"));
      c.compareGroup(
          "vision.",
          name ->
              switch (name) {
                case "vision.out.last_hidden_state" -> out.lastHiddenState();
                case "vision.out.image_embeds" -> out.imageEmbeds();
                case "vision.out.post_layernorm_pooled" -> out.pooledOutput();
                case "vision.debug.embeddings" -> out.embeddings();
                default ->
                    name.startsWith("vision.out.hidden_states.")
                        ? indexed(out.hiddenStates(), name, "vision.out.hidden_states.")
                        : null;
              });
      c.finish();
    }
  }

  /** {@code clip.*}: CLIPModel outputs of {@code clip/}. */
  public static void checkClip(Path set) throws IOException {
    try (Case c = Case.open(set, "clip")) {
      ClipModel model = ClipModel.load(c.folder, c.manager);
      NDArray ids = c.input("text.in.input_ids");
      NDArray pixels = c.input("vision.in.pixel_values");
      NDArray textEmbeds = model.textEmbeds(ids);
      Map<String, NDArray> lazy = new LinkedHashMap<>();
      c.compareGroup(
          "clip.",
          name ->
              switch (name) {
                case "clip.out.text_embeds" -> textEmbeds;
                case "clip.out.logits_per_image" -> model.logitsPerImage(pixels, ids);
                case "clip.out.patch_text_similarity" ->
                    model.patchTextSimilarity(pixels, textEmbeds);
                case "clip.debug.patch_embeds" ->
                    lazy.computeIfAbsent(name, k -> model.visionModel().patchTokens(pixels));
                default -> null;
              });
      c.finish();
    }
  }

  /**
   * The towers of {@code clip/} loaded through {@link ClipTextModel#load} / {@link
   * ClipVisionModel#load} (CLIPModel layout) reproduce {@code text.out.*} and {@code vision.out.*}
   * (the manifest states the towers are bit-identical copies).
   */
  public static void checkTowersFromClipLayout(Path set) throws IOException {
    try (Case c = Case.open(set, "clip")) {
      ClipTextModel text = ClipTextModel.load(c.folder, c.manager);
      ClipVisionModel vision = ClipVisionModel.load(c.folder, c.manager);
      NDArray ids = c.input("text.in.input_ids");
      ClipTextOutput t = text.forward(ids);
      c.compareIfPresent("text.out.last_hidden_state", t.lastHiddenState());
      c.compareIfPresent("text.out.pooler_output", t.pooledOutput());
      c.compareIfPresent("clip.out.text_embeds", text.textEmbeds(ids));
      ClipVisionOutput v = vision.forward(c.input("vision.in.pixel_values"));
      c.compareIfPresent("vision.out.last_hidden_state", v.lastHiddenState());
      c.compareIfPresent("vision.out.image_embeds", v.imageEmbeds());
      c.compareIfPresent("clip.debug.patch_embeds", vision.patchEmbeds(v.lastHiddenState()));
      c.finish();
    }
  }

  private static NDArray indexed(List<NDArray> states, String name, String prefix) {
    int i = Integer.parseInt(name.substring(prefix.length()));
    if (i < 0 || i >= states.size()) {
      throw new AssertionError(name + ": the model has only " + states.size() + " hidden states");
    }
    return states.get(i);
  }

  /** One component of one set: its folder, the manifest, the cases file and a manager. */
  private static final class Case implements AutoCloseable {
    final Path set;
    final Path folder;
    final JsonNode manifest;
    final SafetensorsFile cases;
    final NDManager manager;
    final List<String> failures = new ArrayList<>();
    final List<String> checked = new ArrayList<>();

    private Case(Path set, Path folder, JsonNode manifest, SafetensorsFile cases) {
      this.set = set;
      this.folder = folder;
      this.manifest = manifest;
      this.cases = cases;
      this.manager = NDManager.newBaseManager();
    }

    static Case open(Path set, String component) throws IOException {
      JsonNode manifest = JSON.readTree(set.resolve("manifest.json").toFile());
      JsonNode comp = manifest.path("components").path(component);
      Assumptions.assumeTrue(
          comp.isObject(), set.getFileName() + " has no component '" + component + "'");
      Path folder = set.resolve(comp.path("folder").asText(component));
      return new Case(
          set, folder, manifest, SafetensorsFile.open(set.resolve("cases.safetensors")));
    }

    NDArray input(String name) {
      if (!cases.contains(name)) {
        throw new AssertionError(set.getFileName() + ": cases.safetensors has no input " + name);
      }
      return cases.load(name, manager);
    }

    /** Every non-input manifest tensor whose name starts with {@code prefix}. */
    void compareGroup(String prefix, Function<String, NDArray> actual) {
      int count = 0;
      for (JsonNode t : manifest.path("tensors")) {
        String name = t.path("name").asText();
        if (!name.startsWith(prefix) || t.path("role").asText().equals("input")) {
          continue;
        }
        count++;
        NDArray value;
        try {
          value = actual.apply(name);
        } catch (RuntimeException e) {
          failures.add(name + ": computing it failed: " + e);
          continue;
        }
        if (value == null) {
          failures.add(name + ": no computation known for this expected tensor");
        } else {
          compare(name, value);
        }
      }
      if (count == 0) {
        failures.add("the manifest lists no " + prefix + "* expected tensors");
      }
    }

    void compareIfPresent(String name, NDArray actual) {
      if (cases.contains(name)) {
        compare(name, actual);
      }
    }

    void compare(String name, NDArray actual) {
      double[] tol = tolerance(name);
      NDArray expected = cases.loadFloat32(name, manager);
      String failure = Comparison.check(actual, expected, tol[0], tol[1]);
      checked.add(name);
      if (failure != null) {
        failures.add(name + ": " + failure);
      }
    }

    private double[] tolerance(String name) {
      JsonNode rec = manifest.path("tolerances").path("recommended").path(name);
      if (rec.has("atol")) {
        return new double[] {rec.path("atol").asDouble(), rec.path("rtol").asDouble()};
      }
      for (JsonNode t : manifest.path("tensors")) {
        if (t.path("name").asText().equals(name)) {
          JsonNode tn = t.has("tolerance") ? t.path("tolerance") : t;
          if (tn.has("atol")) {
            return new double[] {tn.path("atol").asDouble(), tn.path("rtol").asDouble()};
          }
        }
      }
      throw new AssertionError(set.getFileName() + ": the manifest has no tolerance for " + name);
    }

    void finish() {
      if (!failures.isEmpty()) {
        throw new AssertionError(
            set.getFileName()
                + " ("
                + folder.getFileName()
                + "): "
                + failures.size()
                + " failure(s), "
                + checked.size()
                + " tensor comparisons run:\n  "
                + String.join("\n  ", failures));
      }
    }

    @Override
    public void close() {
      manager.close();
      cases.close();
    }
  }

  /** Elementwise closeness with a readable report. */
  static final class Comparison {
    private Comparison() {}

    /** Null when |a − e| ≤ atol + rtol·|e| everywhere and shapes agree, else a description. */
    static String check(NDArray actual, NDArray expected, double atol, double rtol) {
      if (!actual.getShape().equals(expected.getShape())) {
        return "shape " + actual.getShape() + ", expected " + expected.getShape();
      }
      float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
      float[] e = expected.toFloatArray();
      double maxAbs = 0;
      int worst = -1;
      int bad = 0;
      for (int i = 0; i < a.length; i++) {
        double diff = Math.abs((double) a[i] - e[i]);
        if (!(diff <= atol + rtol * Math.abs(e[i]))) {
          bad++;
        }
        if (!(diff <= maxAbs)) {
          maxAbs = diff;
          worst = i;
        }
      }
      if (bad == 0) {
        return null;
      }
      long[] shape = expected.getShape().getShape();
      return String.format(
          "%d of %d elements outside atol %.1e + rtol %.1e; max abs diff %.3e at %s (actual %s,"
              + " expected %s)",
          bad,
          a.length,
          atol,
          rtol,
          maxAbs,
          Arrays.toString(unravel(worst, shape)),
          a[worst],
          e[worst]);
    }

    private static long[] unravel(int flat, long[] shape) {
      long[] idx = new long[shape.length];
      long rest = flat;
      for (int d = shape.length - 1; d >= 0; d--) {
        idx[d] = rest % shape[d];
        rest /= shape[d];
      }
      return idx;
    }
  }
}
