package dev.sketchreal.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The project's one Jackson mapper for configs ({@code config.json}, {@code scheduler_config.json},
 * training and pipeline settings) and for JSON written next to results.
 *
 * <h2>Declaring a config record</h2>
 *
 * Unknown keys are ignored (diffusers adds keys such as {@code _diffusers_version} and new options
 * over time). For each key the record decides whether it is required:
 *
 * <pre>{@code
 * record UNetConfig(
 *     // Required: the file must contain the key. Jackson enforces required = true for creator
 *     // parameters, which the canonical constructor of a record is. @JsonSetter(nulls = FAIL)
 *     // also refuses an explicit null ("in_channels": null); a primitive type does that too.
 *     @JsonProperty(value = "in_channels", required = true) int inChannels,
 *     @JsonProperty(value = "block_out_channels", required = true)
 *         @JsonSetter(nulls = Nulls.FAIL) List<Integer> blockOutChannels,
 *     // Optional with a default: a boxed type, so that "absent" (and null) arrive as null,
 *     // replaced in the compact constructor.
 *     @JsonProperty("norm_eps") Double normEps) {
 *   UNetConfig {
 *     normEps = normEps == null ? 1e-5 : normEps;
 *     if (inChannels <= 0) throw new IllegalArgumentException("in_channels must be > 0");
 *   }
 * }
 * }</pre>
 *
 * Do not use a primitive for an optional key: an absent {@code int} silently becomes 0. The mapper
 * keeps {@code FAIL_ON_MISSING_CREATOR_PROPERTIES} off (it would make every key required) and
 * relies on {@code required = true} per key, which Jackson 2.23 does enforce for records (JsonTest
 * checks it). An exception thrown by the compact constructor is reported by {@link #readConfig}
 * with the file name and the constructor's own message.
 *
 * <p>Also refused: duplicate keys, trailing content after the JSON value, a fractional number for
 * an integer key (2.5 would otherwise be truncated to 2), null for a primitive.
 */
public final class Json {
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private static final String REQUIRED_MISSING = "required key is missing";

  private Json() {}

  /** The shared, configured mapper (thread-safe; do not reconfigure it). */
  public static JsonMapper mapper() {
    return MAPPER;
  }

  /**
   * Reads {@code path} into {@code type}. Errors name the file and, where Jackson knows it, the key
   * path (e.g. {@code down_block_types[2]}).
   */
  public static <T> T readConfig(Path path, Class<T> type) throws IOException {
    byte[] bytes = readBytes(path);
    try {
      return MAPPER.readValue(bytes, type);
    } catch (JacksonException e) {
      throw describe(path, e);
    }
  }

  /**
   * {@link #readConfig} for a config a person writes (a training recipe): additionally refuses any
   * key, at any depth, that {@code type} does not read. The shared mapper ignores unknown keys
   * (model folders' {@code config.json} files carry keys of other libraries), so without this a
   * misspelt key would silently leave its setting at the default.
   */
  public static <T> T readStrictConfig(Path path, Class<T> type) throws IOException {
    T config = readConfig(path, type);
    List<String> unknown = new ArrayList<>();
    unknownKeys(readTree(path), MAPPER.valueToTree(config), "", unknown);
    if (!unknown.isEmpty()) {
      throw new FormatException(
          path
              + ": unknown key"
              + (unknown.size() == 1 ? " " : "s ")
              + String.join(", ", unknown)
              + " (misspelt? "
              + type.getSimpleName()
              + " does not read "
              + (unknown.size() == 1 ? "it)" : "them)"));
    }
    return config;
  }

  // Keys of `given` (recursively into objects) that `read`, the parsed config written back, lacks.
  private static void unknownKeys(JsonNode given, JsonNode read, String at, List<String> out) {
    if (!given.isObject()) {
      return;
    }
    for (Iterator<String> it = given.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (read == null || !read.has(key)) {
        out.add(at + key);
      } else {
        unknownKeys(given.get(key), read.get(key), at + key + ".", out);
      }
    }
  }

  /** Reads {@code path} as a JSON tree (for configs whose shape is inspected by hand). */
  public static JsonNode readTree(Path path) throws IOException {
    byte[] bytes = readBytes(path);
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new FormatException(path + ": empty JSON file");
      }
      return node;
    } catch (JacksonException e) {
      throw describe(path, e);
    }
  }

  /**
   * Serialises {@code value} (indented, newline-terminated) and replaces {@code path} atomically.
   */
  public static void writeAtomically(Path path, Object value) throws IOException {
    AtomicFiles.write(path, toJson(value).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Appends {@code value} as one compact JSON line to a JSON-lines file (created when missing): for
   * evaluation logs written once per training chunk.
   */
  public static void appendLine(Path path, Object value) throws IOException {
    String line;
    try {
      line = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("cannot write a JSON line: " + e.getOriginalMessage(), e);
    }
    Files.writeString(
        path,
        line + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** {@code value} as indented JSON with a final newline. */
  public static String toJson(Object value) {
    try {
      return MAPPER.writeValueAsString(value) + "\n";
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "cannot write "
              + value.getClass().getSimpleName()
              + " as JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  private static byte[] readBytes(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "JSON file not found");
    }
    return Files.readAllBytes(path);
  }

  /** One clear line: file, key path, what went wrong, line/column. */
  static FormatException describe(Path path, JacksonException e) {
    StringBuilder msg = new StringBuilder().append(path).append(": ");
    if (e instanceof ValueInstantiationException && e.getCause() != null) {
      // The record's compact constructor rejected a value: its message is the useful part.
      msg.append("invalid value: ").append(e.getCause().getMessage());
      return new FormatException(msg.toString(), e);
    }
    String key = e instanceof JsonMappingException m ? keyPath(m) : "";
    if (!key.isEmpty()) {
      msg.append("key '").append(key).append("': ");
    }
    String what = firstLine(e);
    msg.append(e instanceof JsonParseException ? "not valid JSON: " : "").append(what);
    JsonLocation at = e.getLocation();
    // A missing key has no place in the file: the location would point at the object's end.
    if (at != null && at.getLineNr() > 0 && !what.equals(REQUIRED_MISSING)) {
      msg.append(" (line ")
          .append(at.getLineNr())
          .append(", column ")
          .append(at.getColumnNr())
          .append(')');
    }
    return new FormatException(msg.toString(), e);
  }

  /** {@code a.b[2].c} from Jackson's reference chain. */
  private static String keyPath(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  /** Jackson's message without its advice on mapper settings, which a user cannot change. */
  private static String firstLine(JacksonException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    if (m.startsWith("Missing required creator property")) {
      return REQUIRED_MISSING;
    }
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    for (String advice : new String[] {" (set DeserializationConfig", " (but could if"}) {
      int at = m.indexOf(advice);
      m = at < 0 ? m : m.substring(0, at);
    }
    return m;
  }
}
