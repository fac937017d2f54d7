package dev.sketchreal.judge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sketchreal.data.sketchworld.Category;
import java.util.ArrayList;
import java.util.List;

/**
 * The layout judge's {@code config.json}: input size, channel widths of the four encoder levels
 * (1/2, 1/4, 1/8, 1/16 of the input), width of the full-resolution head (the penultimate feature,
 * pooled for FID-SW), and the class list (index 0 = background).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JudgeConfig(
    @JsonProperty("image_size") Integer imageSize,
    @JsonProperty("channels") List<Integer> channels,
    @JsonProperty("head_channels") Integer headChannels,
    @JsonProperty("groups") Integer groups,
    @JsonProperty("classes") List<String> classes) {

  public JudgeConfig {
    imageSize = imageSize == null ? 128 : imageSize;
    channels = channels == null ? List.of(16, 32, 64, 96) : List.copyOf(channels);
    headChannels = headChannels == null ? 24 : headChannels;
    groups = groups == null ? 8 : groups;
    classes = classes == null ? defaultClasses() : List.copyOf(classes);
    if (channels.size() != 4) {
      throw new IllegalArgumentException("channels must list 4 widths, got " + channels);
    }
    if (imageSize % 16 != 0 || imageSize < 16) {
      throw new IllegalArgumentException("image_size must be a multiple of 16, got " + imageSize);
    }
    for (int c : channels) {
      if (c <= 0 || c % groups != 0) {
        throw new IllegalArgumentException("channel width " + c + " not divisible by " + groups);
      }
    }
    if (headChannels <= 0 || classes.size() < 2 || !classes.get(0).equals("background")) {
      throw new IllegalArgumentException("need head_channels > 0 and classes [background, ...]");
    }
  }

  /** background + the SketchWorld categories in id order. */
  public static List<String> defaultClasses() {
    List<String> out = new ArrayList<>();
    out.add("background");
    out.addAll(Category.words());
    return out;
  }

  public static JudgeConfig defaults() {
    return new JudgeConfig(null, null, null, null, null);
  }

  public int numClasses() {
    return classes.size();
  }
}
