package dev.sketchreal.data.sketchworld;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.data.DataException;
import dev.sketchreal.data.Images;
import dev.sketchreal.data.SyntheticSketcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Everything that shapes a SketchWorld sample. Lengths of the hand-drawn style are fractions of the
 * canvas side, so a config means the same at 64 and 512 pixels. A config file may give any subset
 * of the fields; the rest keep their defaults ({@link #read}).
 *
 * @param size canvas side in pixels (photo and sketches), 64–512
 * @param minObjects fewest objects per scene (grass is not counted)
 * @param maxObjects most objects per scene
 * @param groupSize ids per {@code <group>} folder
 * @param testFraction share of ids in splits/test.txt (0.0475 gives the paper's 475 of 10,000)
 */
public record SketchWorldConfig(
    @JsonProperty("size") int size,
    @JsonProperty("min_objects") int minObjects,
    @JsonProperty("max_objects") int maxObjects,
    @JsonProperty("group_size") int groupSize,
    @JsonProperty("test_fraction") double testFraction,
    @JsonProperty("photo") Photo photo,
    @JsonProperty("synthetic") SyntheticSketcher.Params synthetic,
    @JsonProperty("hand_drawn") HandDrawn handDrawn) {

  public SketchWorldConfig {
    range("size", size, 64, 512);
    range("min_objects", minObjects, 1, 6);
    range("max_objects", maxObjects, minObjects, 8);
    range("group_size", groupSize, 1, 1_000_000);
    range("test_fraction", testFraction, 0, 1);
    if (photo == null || synthetic == null || handDrawn == null) {
      throw new IllegalArgumentException("photo, synthetic and hand_drawn sections are required");
    }
  }

  /**
   * @param textureNoise per-pixel noise amplitude (fraction of full scale)
   * @param shading strength of the light-to-shadow gradient on objects
   * @param shadowOpacity opacity of cast shadows on the ground
   */
  public record Photo(
      @JsonProperty("texture_noise") double textureNoise,
      @JsonProperty("shading") double shading,
      @JsonProperty("shadow_opacity") double shadowOpacity) {
    public Photo {
      range("photo.texture_noise", textureNoise, 0, 0.5);
      range("photo.shading", shading, 0, 1);
      range("photo.shadow_opacity", shadowOpacity, 0, 1);
    }
  }

  /** The hand-drawn style: every effect has a probability and a strength. */
  public record HandDrawn(
      @JsonProperty("stroke_width") double strokeWidth,
      @JsonProperty("abstraction") Abstraction abstraction,
      @JsonProperty("deformation") Deformation deformation,
      @JsonProperty("stroke_noise") StrokeNoise strokeNoise,
      @JsonProperty("omission") Omission omission) {
    public HandDrawn {
      range("hand_drawn.stroke_width", strokeWidth, 0.001, 0.05);
      if (abstraction == null || deformation == null || strokeNoise == null || omission == null) {
        throw new IllegalArgumentException("hand_drawn needs all four sections");
      }
    }
  }

  /**
   * @param groupProbability chance that 3+ objects of a kind are drawn as 2–3 icons ("a forest as
   *     2–3 tree icons")
   * @param detailDropProbability chance to leave out each detail (windows, door, sail, wheels'
   *     hubs)
   * @param sunRayProbability chance the sun gets rays
   * @param groundTextureProbability chance grass/water get their texture strokes (tufts, waves)
   */
  public record Abstraction(
      @JsonProperty("group_probability") double groupProbability,
      @JsonProperty("detail_drop_probability") double detailDropProbability,
      @JsonProperty("sun_ray_probability") double sunRayProbability,
      @JsonProperty("ground_texture_probability") double groundTextureProbability) {
    public Abstraction {
      prob("abstraction.group_probability", groupProbability);
      prob("abstraction.detail_drop_probability", detailDropProbability);
      prob("abstraction.sun_ray_probability", sunRayProbability);
      prob("abstraction.ground_texture_probability", groundTextureProbability);
    }
  }

  /**
   * @param probability chance each object is deformed at all
   * @param positionJitter largest shift, fraction of the canvas (~0.1)
   * @param sizeMin smallest relative size factor (0.6)
   * @param sizeMax largest relative size factor (1.5)
   * @param aspectJitter largest change of width/height ratio (fraction)
   * @param perspectiveIgnoreProbability chance a ground object is drawn at its category's typical
   *     size instead of its depth-dependent size (perspective ignored)
   * @param horizonTilt largest slope of the drawn horizon (fraction of canvas over its width)
   */
  public record Deformation(
      @JsonProperty("probability") double probability,
      @JsonProperty("position_jitter") double positionJitter,
      @JsonProperty("size_min") double sizeMin,
      @JsonProperty("size_max") double sizeMax,
      @JsonProperty("aspect_jitter") double aspectJitter,
      @JsonProperty("perspective_ignore_probability") double perspectiveIgnoreProbability,
      @JsonProperty("horizon_tilt") double horizonTilt) {
    public Deformation {
      prob("deformation.probability", probability);
      range("deformation.position_jitter", positionJitter, 0, 0.5);
      range("deformation.size_min", sizeMin, 0.1, 1);
      range("deformation.size_max", sizeMax, 1, 3);
      range("deformation.aspect_jitter", aspectJitter, 0, 0.9);
      prob("deformation.perspective_ignore_probability", perspectiveIgnoreProbability);
      range("deformation.horizon_tilt", horizonTilt, 0, 0.5);
    }
  }

  /**
   * @param wobbleProbability chance a stroke wobbles
   * @param wobble wobble amplitude, fraction of canvas
   * @param overshootProbability chance each stroke end overshoots
   * @param overshoot overshoot length, fraction of canvas
   * @param gapProbability chance a stroke is broken by a gap
   * @param gapLength gap length, fraction of the stroke
   * @param pressureVariation relative line-width variation along a stroke (uneven pressure)
   * @param extraStrokeProbability chance an object gets an extra stray or doubled stroke
   * @param cornerRounding chance polygon corners are cut (drawn in one sloppy motion)
   */
  public record StrokeNoise(
      @JsonProperty("wobble_probability") double wobbleProbability,
      @JsonProperty("wobble") double wobble,
      @JsonProperty("overshoot_probability") double overshootProbability,
      @JsonProperty("overshoot") double overshoot,
      @JsonProperty("gap_probability") double gapProbability,
      @JsonProperty("gap_length") double gapLength,
      @JsonProperty("pressure_variation") double pressureVariation,
      @JsonProperty("extra_stroke_probability") double extraStrokeProbability,
      @JsonProperty("corner_rounding") double cornerRounding) {
    public StrokeNoise {
      prob("stroke_noise.wobble_probability", wobbleProbability);
      range("stroke_noise.wobble", wobble, 0, 0.05);
      prob("stroke_noise.overshoot_probability", overshootProbability);
      range("stroke_noise.overshoot", overshoot, 0, 0.1);
      prob("stroke_noise.gap_probability", gapProbability);
      range("stroke_noise.gap_length", gapLength, 0, 0.5);
      range("stroke_noise.pressure_variation", pressureVariation, 0, 0.9);
      prob("stroke_noise.extra_stroke_probability", extraStrokeProbability);
      prob("stroke_noise.corner_rounding", cornerRounding);
    }
  }

  /**
   * @param probability chance a small or background object is left out of the sketch
   * @param smallArea objects whose box covers less than this fraction of the canvas count as small
   */
  public record Omission(
      @JsonProperty("probability") double probability,
      @JsonProperty("small_area") double smallArea) {
    public Omission {
      prob("omission.probability", probability);
      range("omission.small_area", smallArea, 0, 1);
    }
  }

  public static SketchWorldConfig defaults() {
    return new SketchWorldConfig(
        128,
        1,
        6,
        100,
        0.0475,
        new Photo(0.035, 0.6, 0.35),
        SyntheticSketcher.Params.defaults(),
        new HandDrawn(
            0.011,
            new Abstraction(0.8, 0.35, 0.75, 0.85),
            new Deformation(0.9, 0.08, 0.6, 1.5, 0.2, 0.5, 0.06),
            new StrokeNoise(0.9, 0.008, 0.5, 0.025, 0.25, 0.15, 0.5, 0.3, 0.5),
            new Omission(0.3, 0.012)));
  }

  /** The same config with another canvas size. */
  public SketchWorldConfig withSize(int newSize) {
    return new SketchWorldConfig(
        newSize, minObjects, maxObjects, groupSize, testFraction, photo, synthetic, handDrawn);
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Reads a JSON config; fields it leaves out keep their defaults. Unknown fields are errors. */
  public static SketchWorldConfig read(Path file) {
    try {
      JsonNode user = JSON.readTree(file.toFile());
      if (user == null || !user.isObject()) {
        throw new DataException(file, "config must be a JSON object");
      }
      ObjectNode merged = JSON.valueToTree(defaults());
      merge(merged, (ObjectNode) user);
      return JSON.treeToValue(merged, SketchWorldConfig.class);
    } catch (IOException | IllegalArgumentException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\\R")[0];
      throw new DataException(file, "bad SketchWorld config: " + msg);
    }
  }

  private static void merge(ObjectNode base, ObjectNode update) {
    for (Iterator<Map.Entry<String, JsonNode>> it = update.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode old = base.get(e.getKey());
      if (old instanceof ObjectNode o && e.getValue() instanceof ObjectNode n) {
        merge(o, n);
      } else {
        base.set(e.getKey(), e.getValue());
      }
    }
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public void write(Path file) {
    Images.writeText(file, toJson() + "\n");
  }

  private static void prob(String name, double v) {
    range(name, v, 0, 1);
  }

  private static void range(String name, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi)) {
      throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], got " + v);
    }
  }
}
