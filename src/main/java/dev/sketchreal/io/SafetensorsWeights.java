package dev.sketchreal.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link WeightSource} over one safetensors file or a sharded set of them. */
final class SafetensorsWeights implements WeightSource {
  private static final Logger LOG = LoggerFactory.getLogger(SafetensorsWeights.class);

  private static final List<String> BASE_NAMES = List.of("diffusion_pytorch_model", "model");
  private static final List<String> PICKLE_SUFFIXES =
      List.of(".bin", ".ckpt", ".pt", ".pth", ".pkl");
  private static final JsonMapper STRICT =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final String description;
  private final List<SafetensorsFile> files;
  private final Map<String, SafetensorsFile> byKey;
  private final SortedSet<String> keys;

  private SafetensorsWeights(
      String description, List<SafetensorsFile> files, Map<String, SafetensorsFile> byKey) {
    this.description = description;
    this.files = List.copyOf(files);
    this.byKey = byKey;
    this.keys = Collections.unmodifiableSortedSet(new TreeSet<>(byKey.keySet()));
  }

  static SafetensorsWeights open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "model component folder not found");
    }
    for (String variant : new String[] {"", ".fp16"}) {
      for (String base : BASE_NAMES) {
        Path single = dir.resolve(base + variant + ".safetensors");
        if (Files.isRegularFile(single)) {
          logVariant(variant, single);
          return single(single);
        }
      }
      for (String base : BASE_NAMES) {
        for (Path index : indexCandidates(dir, base, variant)) {
          if (Files.isRegularFile(index)) {
            logVariant(variant, index);
            return sharded(dir, index);
          }
        }
      }
    }
    throw noWeights(dir);
  }

  /** diffusers writes {@code X.safetensors.index.fp16.json}; accept the other order as well. */
  private static List<Path> indexCandidates(Path dir, String base, String variant) {
    if (variant.isEmpty()) {
      return List.of(dir.resolve(base + ".safetensors.index.json"));
    }
    return List.of(
        dir.resolve(base + ".safetensors.index" + variant + ".json"),
        dir.resolve(base + variant + ".safetensors.index.json"));
  }

  private static void logVariant(String variant, Path file) {
    if (!variant.isEmpty()) {
      LOG.info("{}: no full-precision weights, using the {} variant", file, variant.substring(1));
    }
  }

  private static SafetensorsWeights single(Path file) throws IOException {
    SafetensorsFile st = SafetensorsFile.open(file);
    Map<String, SafetensorsFile> byKey = new LinkedHashMap<>();
    st.tensors().keySet().forEach(k -> byKey.put(k, st));
    return new SafetensorsWeights(file.toString(), List.of(st), byKey);
  }

  private static SafetensorsWeights sharded(Path dir, Path index) throws IOException {
    Map<String, List<String>> keysByShard = readIndex(dir, index);
    List<SafetensorsFile> opened = new ArrayList<>();
    try {
      Map<String, SafetensorsFile> byKey = new LinkedHashMap<>();
      for (Map.Entry<String, List<String>> e : keysByShard.entrySet()) {
        Path shardPath = dir.resolve(e.getKey());
        if (!Files.isRegularFile(shardPath)) {
          throw new FormatException(index + ": shard '" + e.getKey() + "' does not exist");
        }
        SafetensorsFile shard = SafetensorsFile.open(shardPath);
        opened.add(shard);
        checkShardKeys(index, e.getKey(), new TreeSet<>(e.getValue()), shard.tensors().keySet());
        e.getValue().forEach(k -> byKey.put(k, shard));
      }
      String shards = keysByShard.keySet().stream().collect(Collectors.joining(", "));
      return new SafetensorsWeights(index + " (shards: " + shards + ")", opened, byKey);
    } catch (IOException | RuntimeException e) {
      opened.forEach(SafetensorsFile::close);
      throw e;
    }
  }

  /** Reads {@code weight_map} of an index: shard file name to the keys it should hold. */
  private static Map<String, List<String>> readIndex(Path dir, Path index) throws IOException {
    JsonNode root;
    try {
      root = STRICT.readTree(Files.readAllBytes(index));
    } catch (JacksonException e) {
      throw new FormatException(index + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject() || map.isEmpty()) {
      throw new FormatException(index + ": missing or empty 'weight_map' object");
    }
    Map<String, List<String>> keysByShard = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      if (!e.getValue().isTextual()) {
        throw new FormatException(
            index + ": weight_map entry '" + e.getKey() + "' is not a file name");
      }
      String shard = e.getValue().textValue();
      checkInside(dir, index, shard);
      keysByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(e.getKey());
    }
    return keysByShard;
  }

  /**
   * A shard name must stay in the component folder: an index from the internet must not make us
   * open {@code ../../somewhere}. Checked on the names only, since the Hugging Face cache links
   * every file to a blob outside the snapshot folder.
   */
  private static void checkInside(Path dir, Path index, String shard) throws FormatException {
    Path base = dir.toAbsolutePath().normalize();
    Path resolved;
    try {
      resolved = base.resolve(shard).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new FormatException(index + ": shard name '" + shard + "' is not a valid path");
    }
    if (shard.isEmpty()
        || Path.of(shard).isAbsolute()
        || !resolved.startsWith(base)
        || resolved.equals(base)) {
      throw new FormatException(index + ": shard name '" + shard + "' points outside " + dir);
    }
  }

  private static void checkShardKeys(
      Path index, String shard, Set<String> listed, Set<String> actual) throws FormatException {
    List<String> missing = listed.stream().filter(k -> !actual.contains(k)).limit(5).toList();
    if (!missing.isEmpty()) {
      throw new FormatException(
          index
              + ": shard '"
              + shard
              + "' does not contain "
              + quoted(missing)
              + " listed in the index");
    }
    List<String> extra = actual.stream().filter(k -> !listed.contains(k)).limit(5).toList();
    if (!extra.isEmpty()) {
      throw new FormatException(
          index
              + ": shard '"
              + shard
              + "' holds "
              + quoted(extra)
              + " which the index does not map to it");
    }
  }

  private static String quoted(List<String> keys) {
    return keys.stream().map(k -> "'" + k + "'").collect(Collectors.joining(", "));
  }

  /** Explains why nothing was found: pickles, oddly named safetensors, or an empty folder. */
  private static FormatException noWeights(Path dir) throws IOException {
    List<String> names;
    try (Stream<Path> list = Files.list(dir)) {
      names = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    List<String> pickles =
        names.stream()
            .filter(n -> PICKLE_SUFFIXES.stream().anyMatch(n.toLowerCase(Locale.ROOT)::endsWith))
            .toList();
    if (!pickles.isEmpty()) {
      return new FormatException(
          dir
              + ": pickle weights are not supported, convert to safetensors (found "
              + String.join(", ", pickles)
              + ")");
    }
    List<String> others = names.stream().filter(n -> n.endsWith(".safetensors")).toList();
    String hint =
        others.isEmpty()
            ? "no weights found"
            : "no recognised weight file (found " + String.join(", ", others) + ")";
    return new FormatException(
        dir + ": " + hint + "; expected diffusion_pytorch_model.safetensors or model.safetensors");
  }

  @Override
  public Set<String> keys() {
    return keys;
  }

  @Override
  public TensorInfo info(String key) {
    return file(key).info(key);
  }

  @Override
  public NDArray load(String key, NDManager manager) {
    return file(key).load(key, manager);
  }

  @Override
  public NDArray loadFloat32(String key, NDManager manager) {
    return file(key).loadFloat32(key, manager);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    files.forEach(SafetensorsFile::close);
  }

  @Override
  public String toString() {
    return "WeightSource[" + description + "]";
  }

  private SafetensorsFile file(String key) {
    SafetensorsFile file = byKey.get(key);
    if (file == null) {
      throw new IllegalArgumentException(description + ": no tensor '" + key + "'");
    }
    return file;
  }
}
