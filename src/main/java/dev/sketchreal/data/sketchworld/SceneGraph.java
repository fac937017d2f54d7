package dev.sketchreal.data.sketchworld;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sampled scene. Coordinates are fractions of the canvas side, y downwards; boxes are (x, y, w,
 * h) with (x, y) the top-left corner. {@code objects} is in depth order, back to front (the order
 * of painting): later objects occlude earlier ones.
 */
public record SceneGraph(
    @JsonProperty("sky") Sky sky,
    @JsonProperty("ground") Ground ground,
    @JsonProperty("horizon") double horizon,
    @JsonProperty("objects") List<SceneObject> objects,
    @JsonProperty("relations") List<Relation> relations) {

  public enum Sky {
    DAY,
    SUNSET,
    NIGHT;

    @com.fasterxml.jackson.annotation.JsonValue
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public enum Ground {
    GRASS,
    SAND,
    SNOW,
    WATER;

    @com.fasterxml.jackson.annotation.JsonValue
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One object instance.
   *
   * @param instance id, unique within the scene
   * @param colour colour word used in the photo and the caption
   * @param size "small", "big" or "" (ordinary)
   * @param variant shape variant (e.g. round or pine tree; full or crescent moon)
   * @param shapeSeed seed for the shape's random details (bumps, ridges), shared by photo and
   *     sketch
   */
  public record SceneObject(
      @JsonProperty("instance") int instance,
      @JsonProperty("category") Category category,
      @JsonProperty("colour") String colour,
      @JsonProperty("size") String size,
      @JsonProperty("x") double x,
      @JsonProperty("y") double y,
      @JsonProperty("w") double w,
      @JsonProperty("h") double h,
      @JsonProperty("variant") int variant,
      @JsonProperty("shape_seed") long shapeSeed) {

    public double centerX() {
      return x + w / 2;
    }

    public double bottom() {
      return y + h;
    }
  }

  /** "subject predicate object", e.g. house(1) "left of" tree(2). */
  public record Relation(
      @JsonProperty("subject") int subject,
      @JsonProperty("predicate") String predicate,
      @JsonProperty("object") int object) {}

  /** Instances per category, in first-appearance order. */
  public Map<Category, List<SceneObject>> byCategory() {
    Map<Category, List<SceneObject>> out = new LinkedHashMap<>();
    for (SceneObject o : objects) {
      out.computeIfAbsent(o.category(), k -> new ArrayList<>()).add(o);
    }
    return out;
  }

  public SceneObject object(int instance) {
    for (SceneObject o : objects) {
      if (o.instance() == instance) {
        return o;
      }
    }
    throw new IllegalArgumentException("no instance " + instance);
  }

  /** The same scene without the given instances; relations are recomputed. */
  public SceneGraph without(java.util.Set<Integer> instances) {
    List<SceneObject> kept =
        objects.stream().filter(o -> !instances.contains(o.instance())).toList();
    return new SceneGraph(sky, ground, horizon, kept, relationsOf(kept));
  }

  /**
   * Spatial relations between objects of different categories: left of / right of for objects side
   * by side, in front of / behind for ground objects one behind the other, above for sky objects
   * over ground objects.
   */
  public static List<Relation> relationsOf(List<SceneObject> objects) {
    List<Relation> out = new ArrayList<>();
    for (SceneObject a : objects) {
      for (SceneObject b : objects) {
        if (a.category() == b.category()
            || a.category() == Category.GRASS
            || b.category() == Category.GRASS) {
          continue;
        }
        predicate(a, b).ifPresent(p -> out.add(new Relation(a.instance(), p, b.instance())));
      }
    }
    return out;
  }

  private static java.util.Optional<String> predicate(SceneObject a, SceneObject b) {
    if (a.category().inSky() && !b.category().inSky()) {
      return java.util.Optional.of("above");
    }
    if (a.category().inSky() != b.category().inSky()) {
      return java.util.Optional.empty();
    }
    double dx = a.centerX() - b.centerX();
    if (Math.abs(dx) > 0.5 * (a.w() + b.w()) * 0.6) {
      return java.util.Optional.of(dx < 0 ? "left of" : "right of");
    }
    if (!a.category().inSky() && Math.abs(a.bottom() - b.bottom()) > 0.05) {
      return java.util.Optional.of(a.bottom() > b.bottom() ? "in front of" : "behind");
    }
    return java.util.Optional.empty();
  }
}
