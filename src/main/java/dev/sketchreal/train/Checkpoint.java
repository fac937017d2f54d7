package dev.sketchreal.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.AtomicFiles;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.nn.Parameter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Training checkpoints: one directory per step, {@code <root>/step-00000100/} with
 *
 * <ul>
 *   <li>{@code model.safetensors}: the trainable parameters by name (frozen ones come from the base
 *       model and are not copied),
 *   <li>{@code optimizer.safetensors}: {@link AdamW#state()},
 *   <li>{@code trainer.json}: step, seed (the RNG state: see {@link StepRandom}), learning rates,
 *       the run's config JSON and free-form extras.
 * </ul>
 *
 * The directory is written as {@code .step-…partial} and renamed into place, so a crash never
 * leaves a half-written checkpoint under a step name; only the last {@code keepLast} are kept.
 */
public final class Checkpoint {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("step-(\\d{8,})");
  static final String MODEL = "model.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final String TRAINER = "trainer.json";

  private Checkpoint() {}

  /**
   * What a checkpoint records besides the arrays.
   *
   * @param config the run's configuration (any JSON), stored verbatim
   */
  public record Meta(long step, long seed, JsonNode config, Map<String, String> extra) {
    public Meta {
      extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
  }

  /** The directory name of a step. */
  public static String directoryName(long step) {
    return String.format("step-%08d", step);
  }

  /** Writes a checkpoint of {@code meta.step()} under {@code root} and prunes old ones. */
  public static Path save(
      Path root, int keepLast, Meta meta, Map<String, Parameter> trainable, AdamW optimizer)
      throws IOException {
    Files.createDirectories(root);
    Path target = root.resolve(directoryName(meta.step()));
    Path partial = root.resolve("." + directoryName(meta.step()) + ".partial");
    deleteRecursively(partial);
    Files.createDirectories(partial);
    Map<String, NDArray> params = new LinkedHashMap<>();
    trainable.forEach((k, p) -> params.put(k, p.array()));
    SafetensorsWriter.write(partial.resolve(MODEL), params, Map.of("format", "pt"));
    Map<String, NDArray> state = optimizer.state();
    try {
      SafetensorsWriter.write(partial.resolve(OPTIMIZER), state, Map.of("format", "pt"));
    } finally {
      state.get("step").close();
    }
    AtomicFiles.write(partial.resolve(TRAINER), trainerJson(meta, optimizer));
    deleteRecursively(target);
    move(partial, target);
    prune(root, keepLast);
    return target;
  }

  private static byte[] trainerJson(Meta meta, AdamW optimizer) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("step", meta.step());
    root.put("seed", meta.seed());
    ObjectNode lrs = root.putObject("learning_rates");
    optimizer.learningRates().forEach(lrs::put);
    root.set("config", meta.config() == null ? MAPPER.nullNode() : meta.config());
    ObjectNode extra = root.putObject("extra");
    meta.extra().forEach(extra::put);
    return MAPPER
        .writerWithDefaultPrettyPrinter()
        .writeValueAsString(root)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The newest complete checkpoint under {@code root}, if any. */
  public static Optional<Path> latest(Path root) throws IOException {
    List<Path> all = list(root);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Complete checkpoints under {@code root}, oldest first. */
  public static List<Path> list(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve(TRAINER)))
          .sorted(Comparator.comparingLong(Checkpoint::stepOf))
          .toList();
    }
  }

  /**
   * Restores the trainable parameters and the optimizer state of a checkpoint (strict: the names
   * must match exactly) and returns its meta data. Learning rates are restored as saved.
   *
   * @param manager owner of the restored parameter arrays (the model's manager)
   */
  public static Meta load(
      Path checkpoint, Map<String, Parameter> trainable, AdamW optimizer, NDManager manager)
      throws IOException {
    JsonNode json = MAPPER.readTree(Files.readAllBytes(checkpoint.resolve(TRAINER)));
    try (SafetensorsFile model = SafetensorsFile.open(checkpoint.resolve(MODEL));
        SafetensorsFile opt = SafetensorsFile.open(checkpoint.resolve(OPTIMIZER));
        NDManager tmp = manager.newSubManager()) {
      requireSameKeys(checkpoint.resolve(MODEL), model.tensors().keySet(), trainable.keySet());
      for (var e : trainable.entrySet()) {
        e.getValue().set(model.loadFloat32(e.getKey(), manager));
      }
      Map<String, NDArray> state = new LinkedHashMap<>();
      for (String key : opt.tensors().keySet()) {
        state.put(key, opt.load(key, tmp));
      }
      optimizer.load(state);
    }
    json.path("learning_rates")
        .fields()
        .forEachRemaining(e -> optimizer.setLearningRate(e.getKey(), e.getValue().asDouble()));
    Map<String, String> extra = new LinkedHashMap<>();
    json.path("extra").fields().forEachRemaining(e -> extra.put(e.getKey(), e.getValue().asText()));
    long step = json.get("step").asLong();
    if (step != optimizer.stepCount()) {
      throw new IOException(
          checkpoint
              + ": trainer.json step "
              + step
              + " != optimizer step "
              + optimizer.stepCount());
    }
    return new Meta(step, json.get("seed").asLong(), json.get("config"), extra);
  }

  private static void requireSameKeys(Path file, Iterable<String> stored, Iterable<String> wanted)
      throws IOException {
    TreeSet<String> a = new TreeSet<>();
    stored.forEach(a::add);
    TreeSet<String> b = new TreeSet<>();
    wanted.forEach(b::add);
    if (!a.equals(b)) {
      TreeSet<String> missing = new TreeSet<>(b);
      missing.removeAll(a);
      TreeSet<String> unexpected = new TreeSet<>(a);
      unexpected.removeAll(b);
      throw new IOException(
          file + ": parameters do not match: missing " + missing + ", unexpected " + unexpected);
    }
  }

  private static void prune(Path root, int keepLast) throws IOException {
    List<Path> all = new ArrayList<>(list(root));
    for (int i = 0; i < all.size() - Math.max(1, keepLast); i++) {
      deleteRecursively(all.get(i));
    }
  }

  static long stepOf(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a checkpoint directory: " + dir);
    }
    return Long.parseLong(m.group(1));
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
