package dev.sketchreal.data.sketchworld;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.data.CategoryWords;
import dev.sketchreal.data.DataException;
import dev.sketchreal.data.Dataset;
import dev.sketchreal.data.Images;
import dev.sketchreal.data.Mask;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import dev.sketchreal.data.SkipLog;
import dev.sketchreal.data.VectorSketch;
import dev.sketchreal.data.coco.CocoInstances;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads a folder in the SketchWorld layout, complete or partial. A partial folder holds only what a
 * person has — {@code raster_sketches/}, {@code text/} and maybe {@code
 * annotations/sketch_instances.json} — and then photos, photo masks and synthetic sketches are
 * simply absent (empty), not errors. A sketch without its caption file is an error naming the file
 * (or, with skipping on, counted in {@link #skipped()}).
 */
public final class SketchWorldDataset implements Dataset {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path root;
  private final String split;
  private final SkipLog skipLog;
  private final Map<String, String> groupOf = new LinkedHashMap<>();
  private final CocoInstances photoAnnotations;
  private final CocoInstances sketchAnnotations;

  private SketchWorldDataset(Path root, String split, boolean skipBad) {
    this.root = root;
    this.split = split;
    this.skipLog = new SkipLog(skipBad);
    Path inst = root.resolve("annotations/instances.json");
    Path sk = root.resolve("annotations/sketch_instances.json");
    this.photoAnnotations = Files.isRegularFile(inst) ? CocoInstances.read(inst) : null;
    this.sketchAnnotations = Files.isRegularFile(sk) ? CocoInstances.read(sk) : null;
  }

  /**
   * The training and held-out parts of a folder.
   *
   * @param test null when the folder has no {@code splits/test.txt}
   */
  public record Splits(SketchWorldDataset train, SketchWorldDataset test) {}

  /**
   * The train split (every sample when the folder has no {@code splits/}) and the test split when
   * there is one, both skipping bad samples.
   */
  public static Splits trainAndTest(Path root) {
    boolean hasTrain = Files.isRegularFile(root.resolve("splits/train.txt"));
    SketchWorldDataset train = open(root, hasTrain ? "train" : "all", true);
    SketchWorldDataset test =
        Files.isRegularFile(root.resolve("splits/test.txt")) ? open(root, "test", true) : null;
    return new Splits(train, test);
  }

  /**
   * Opens a folder.
   *
   * @param split "train", "test" (read from splits/) or "all" (every sketch found)
   * @param skipBad skip and count bad samples instead of failing
   */
  public static SketchWorldDataset open(Path root, String split, boolean skipBad) {
    SketchWorldDataset ds = new SketchWorldDataset(root, split, skipBad);
    Map<String, String> found = ds.scan();
    List<String> ids =
        split.equals("all") ? new ArrayList<>(found.keySet()) : ds.readSplit(split, found);
    for (String id : ids) {
      String g = found.get(id);
      Path caption = root.resolve("text").resolve(g).resolve(id + ".txt");
      if (!Files.isRegularFile(caption)) {
        ds.skipLog.handle(new DataException(caption, "caption file missing"));
        continue;
      }
      ds.groupOf.put(id, g);
    }
    return ds;
  }

  // id → group of every raster sketch, ids in numeric order.
  private Map<String, String> scan() {
    Path dir = root.resolve("raster_sketches");
    if (!Files.isDirectory(dir)) {
      throw new DataException(root, "not a SketchWorld folder (raster_sketches/ missing)");
    }
    Map<Long, String[]> byId = new TreeMap<>();
    try (Stream<Path> groups = Files.list(dir)) {
      for (Path g : groups.filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.list(g)) {
          for (Path f : files.toList()) {
            String name = f.getFileName().toString();
            if (name.matches("\\d+\\.png")) {
              String id = name.substring(0, name.length() - 4);
              byId.put(Long.parseLong(id), new String[] {id, g.getFileName().toString()});
            }
          }
        }
      }
    } catch (IOException e) {
      throw new DataException(dir, "cannot list sketches", e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    byId.values().forEach(p -> out.put(p[0], p[1]));
    return out;
  }

  private List<String> readSplit(String name, Map<String, String> found) {
    Path file = root.resolve("splits").resolve(name + ".txt");
    List<String> ids = new ArrayList<>();
    for (String line : Images.readText(file, "split file").split("\\R")) {
      String id = line.strip();
      if (id.isEmpty()) {
        continue;
      }
      if (!found.containsKey(id)) {
        skipLog.handle(new DataException(file, "split lists id " + id + " but it has no sketch"));
        continue;
      }
      ids.add(id);
    }
    return ids;
  }

  @Override
  public String name() {
    return "sketchworld:" + root + " (" + split + ")";
  }

  @Override
  public List<String> ids() {
    return List.copyOf(groupOf.keySet());
  }

  @Override
  public Set<SampleKind> kinds() {
    return Files.isDirectory(root.resolve("synthetic_sketches"))
        ? EnumSet.allOf(SampleKind.class)
        : EnumSet.of(SampleKind.HAND_DRAWN);
  }

  @Override
  public SkipLog skipped() {
    return skipLog;
  }

  @Override
  public Sample load(String id, SampleKind kind) {
    String g = groupOf.get(id);
    if (g == null) {
      throw new DataException(root, "no sample with id " + id + " in split " + split);
    }
    String caption = Images.readText(file("text", g, id, ".txt"), "caption file");
    Path photoFile = file("images", g, id, ".png");
    Optional<BufferedImage> photo =
        Files.isRegularFile(photoFile) ? Optional.of(Images.read(photoFile)) : Optional.empty();
    Map<String, Mask> photoMasks = masks(photoAnnotations, id, photo);
    Map<String, List<String>> words = categoryWords(g, id, caption);
    if (kind == SampleKind.SYNTHETIC) {
      BufferedImage sketch = Images.read(file("synthetic_sketches", g, id, ".png"));
      return new Sample(
          id,
          kind,
          photo,
          sketch,
          Optional.empty(),
          caption,
          photoMasks,
          Optional.of(photoMasks),
          words);
    }
    BufferedImage sketch = Images.read(file("raster_sketches", g, id, ".png"));
    Optional<Map<String, Mask>> sketchMasks =
        sketchAnnotations == null
            ? Optional.empty()
            : Optional.of(masks(sketchAnnotations, id, Optional.of(sketch)));
    Optional<VectorSketch> strokes = readStrokes(file("vector_sketches", g, id, ".json"));
    return new Sample(id, kind, photo, sketch, strokes, caption, photoMasks, sketchMasks, words);
  }

  private Path file(String folder, String group, String id, String ext) {
    return root.resolve(folder).resolve(group).resolve(id + ext);
  }

  // Category masks of one image; the annotation's image size must match the image file.
  private static Map<String, Mask> masks(
      CocoInstances coco, String id, Optional<BufferedImage> image) {
    if (coco == null) {
      return Map.of();
    }
    long imageId = Long.parseLong(id);
    Optional<CocoInstances.ImageInfo> info = coco.image(imageId);
    if (info.isEmpty()) {
      return Map.of();
    }
    if (image.isPresent()
        && (image.get().getWidth() != info.get().width()
            || image.get().getHeight() != info.get().height())) {
      throw new DataException(
          coco.source(),
          "image "
              + id
              + " is "
              + info.get().width()
              + "x"
              + info.get().height()
              + " in the annotations but "
              + image.get().getWidth()
              + "x"
              + image.get().getHeight()
              + " on disk");
    }
    return coco.categoryMasks(imageId);
  }

  // From the scene file when present, else found in the caption.
  private Map<String, List<String>> categoryWords(String g, String id, String caption) {
    Path scene = file("scenes", g, id, ".json");
    if (!Files.isRegularFile(scene)) {
      return CategoryWords.find(caption, Category.words());
    }
    try {
      JsonNode node = JSON.readTree(scene.toFile()).path("category_words");
      Map<String, List<String>> out = new LinkedHashMap<>();
      node.fields()
          .forEachRemaining(
              e -> {
                List<String> w = new ArrayList<>();
                e.getValue().forEach(v -> w.add(v.asText()));
                out.put(e.getKey(), w);
              });
      return out;
    } catch (IOException e) {
      throw new DataException(scene, "corrupt scene JSON", e);
    }
  }

  /** Reads {@code [[x, y, pen], ...]}; absent → empty. */
  public static Optional<VectorSketch> readStrokes(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      double[][] rows = JSON.readValue(file.toFile(), double[][].class);
      return Optional.of(new VectorSketch(rows));
    } catch (IOException | IllegalArgumentException e) {
      throw new DataException(file, "corrupt stroke JSON", e);
    }
  }
}
