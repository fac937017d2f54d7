package dev.sketchreal.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generation parameters in PNG text chunks, readable by A1111/ComfyUI-style tools and by {@code
 * --from-png}:
 *
 * <ul>
 *   <li>{@code parameters}: A1111's infotext, e.g. {@code a house\nNegative prompt: blurry\nSteps:
 *       25, Sampler: DDIM, CFG scale: 7.5, Seed: 1, Size: 512x512, Model: sd2-tiny};
 *   <li>{@code sketchreal}: every parameter as JSON (UTF-8 iTXt), the authoritative record.
 * </ul>
 */
public final class PngMetadata {
  public static final String PARAMETERS_KEY = "parameters";
  public static final String JSON_KEY = "sketchreal";

  private PngMetadata() {}

  /**
   * The A1111 infotext: the prompt, a "Negative prompt:" line if there is one, then {@code Key:
   * value} pairs in the map's order (use a LinkedHashMap). Values with a comma, colon, quote or
   * newline are JSON-quoted, as A1111 does, so the line can be split again.
   */
  public static String a1111(String prompt, String negativePrompt, Map<String, ?> settings) {
    StringBuilder out = new StringBuilder(prompt == null ? "" : prompt);
    if (negativePrompt != null && !negativePrompt.isEmpty()) {
      out.append("\nNegative prompt: ").append(negativePrompt);
    }
    StringBuilder line = new StringBuilder();
    for (Map.Entry<String, ?> e : settings.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      line.append(line.length() == 0 ? "" : ", ").append(e.getKey()).append(": ");
      line.append(quote(String.valueOf(e.getValue())));
    }
    if (line.length() > 0) {
      out.append('\n').append(line);
    }
    return out.toString();
  }

  /**
   * Both chunks for one image: the A1111 line and {@code parameters} serialised with {@link Json}
   * (a record or a map).
   */
  public static Map<String, String> chunks(
      String prompt, String negativePrompt, Map<String, ?> settings, Object parameters) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(PARAMETERS_KEY, a1111(prompt, negativePrompt, settings));
    out.put(JSON_KEY, Json.toJson(parameters).strip());
    return out;
  }

  /** All tEXt, zTXt and iTXt chunks of a PNG file, in file order. */
  public static Map<String, String> read(Path png) throws IOException {
    if (!Files.isRegularFile(png)) {
      throw new NoSuchFileException(png.toString(), null, "PNG file not found");
    }
    byte[] bytes = Files.readAllBytes(png);
    return PngChunks.readText(png, PngChunks.split(png, bytes));
  }

  private static String quote(String value) {
    boolean plain =
        value.indexOf(',') < 0
            && value.indexOf(':') < 0
            && value.indexOf('\n') < 0
            && value.indexOf('"') < 0;
    return plain ? value : Json.toJson(value).strip();
  }
}
