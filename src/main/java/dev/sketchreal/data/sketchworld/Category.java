package dev.sketchreal.data.sketchworld;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * SketchWorld's object categories. {@link #word()} is the exact caption word and class name
 * (SKETCHWORLD.md); {@link #plural()} is the caption word for several instances.
 */
public enum Category {
  SUN(true),
  MOON(true),
  CLOUD(true),
  MOUNTAIN(true),
  TREE(false),
  HOUSE(false),
  CAR(false),
  BOAT(false),
  BIRD(true),
  FLOWER(false),
  FENCE(false),
  GRASS(false);

  private final boolean sky;

  Category(boolean sky) {
    this.sky = sky;
  }

  /** True for things above the horizon (drawn in the sky layer). */
  public boolean inSky() {
    return sky;
  }

  @JsonValue
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String plural() {
    return this == GRASS ? "grass" : word() + "s";
  }

  /** COCO category id: 1-based position. */
  public int cocoId() {
    return ordinal() + 1;
  }

  @JsonCreator
  public static Category fromWord(String word) {
    return valueOf(word.toUpperCase(Locale.ROOT));
  }

  /** All category words, in id order. */
  public static List<String> words() {
    return Arrays.stream(values()).map(Category::word).toList();
  }
}
