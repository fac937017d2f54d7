package dev.sketchreal.data.fscoco;

import dev.sketchreal.data.CategoryWords;
import dev.sketchreal.data.DataException;
import dev.sketchreal.data.Dataset;
import dev.sketchreal.data.Images;
import dev.sketchreal.data.Mask;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import dev.sketchreal.data.SkipLog;
import dev.sketchreal.data.SyntheticSketcher;
import dev.sketchreal.data.VectorSketch;
import dev.sketchreal.data.coco.CocoInstances;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * FS-COCO as released: {@code raster_sketches/<user>/<id>.jpg}, {@code images/<user>/<id>.jpg},
 * {@code text/<user>/<id>.txt}, {@code vector_sketches/<user>/<id>.npy} (rows x, y, pen; pen 1 or 2
 * lifts the pen), where {@code <id>} is the MS-COCO image id. PNG files are accepted too.
 *
 * <p>Hand-drawn samples carry the sketch, strokes (when the .npy exists), caption and — with an
 * MS-COCO instances file — the photo's masks. Synthetic samples are made from the photo by {@link
 * SyntheticSketcher} and use the photo masks as sketch masks. Without {@code images/} (a partial
 * folder) only hand-drawn samples exist and their photo is empty.
 */
public final class FsCocoDataset implements Dataset {
  private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".png", ".jpeg");

  /**
   * @param skipBad skip (and count) ids with missing captions or bad files instead of failing
   * @param instances MS-COCO instances JSON for photo masks, or null
   * @param splitFile text file of ids ({@code <id>} or {@code <user>/<id>}, one per line), or null
   *     for all sketches
   * @param vocabulary category names looked up in captions when there is no instances file
   * @param synthetic edge-detector settings for synthetic sketches
   */
  public record Options(
      boolean skipBad,
      Path instances,
      Path splitFile,
      List<String> vocabulary,
      SyntheticSketcher.Params synthetic) {
    public static Options defaults() {
      return new Options(false, null, null, List.of(), SyntheticSketcher.Params.defaults());
    }

    public Options withSkipBad(boolean skip) {
      return new Options(skip, instances, splitFile, vocabulary, synthetic);
    }

    public Options withInstances(Path file) {
      return new Options(skipBad, file, splitFile, vocabulary, synthetic);
    }

    public Options withSplitFile(Path file) {
      return new Options(skipBad, instances, file, vocabulary, synthetic);
    }

    public Options withVocabulary(List<String> words) {
      return new Options(skipBad, instances, splitFile, List.copyOf(words), synthetic);
    }
  }

  private final Path root;
  private final Options options;
  private final SkipLog skipLog;
  private final Map<String, String> userOf = new LinkedHashMap<>(); // id → user folder
  private final CocoInstances coco;
  private final List<String> vocabulary;

  private FsCocoDataset(Path root, Options options) {
    this.root = root;
    this.options = options;
    this.skipLog = new SkipLog(options.skipBad());
    this.coco = options.instances() == null ? null : CocoInstances.read(options.instances());
    this.vocabulary =
        coco != null
            ? coco.categories().stream().map(CocoInstances.Category::name).toList()
            : options.vocabulary();
  }

  /** Indexes the folder; fails (or skips, if asked) on sketches without a caption file. */
  public static FsCocoDataset open(Path root, Options options) {
    FsCocoDataset ds = new FsCocoDataset(root, options);
    Map<String, String> found = ds.scanSketches();
    List<String> wanted =
        options.splitFile() == null ? new ArrayList<>(found.keySet()) : ds.readSplit(found);
    for (String id : wanted) {
      String user = found.get(id);
      Path caption = root.resolve("text").resolve(user).resolve(id + ".txt");
      if (!Files.isRegularFile(caption)) {
        ds.skipLog.handle(new DataException(caption, "caption file missing"));
        continue;
      }
      ds.userOf.put(id, user);
    }
    return ds;
  }

  // id → user for every raster sketch, ordered by user then id (numerically when possible).
  private Map<String, String> scanSketches() {
    Path dir = root.resolve("raster_sketches");
    if (!Files.isDirectory(dir)) {
      throw new DataException(root, "not an FS-COCO folder (raster_sketches/ missing)");
    }
    List<String[]> pairs = new ArrayList<>();
    try (Stream<Path> users = Files.list(dir)) {
      for (Path u : users.filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.list(u)) {
          for (Path f : files.toList()) {
            stem(f).ifPresent(id -> pairs.add(new String[] {u.getFileName().toString(), id}));
          }
        }
      }
    } catch (IOException e) {
      throw new DataException(dir, "cannot list sketches", e);
    }
    pairs.sort(
        Comparator.<String[], String>comparing(p -> p[0], FsCocoDataset::naturalCompare)
            .thenComparing(p -> p[1], FsCocoDataset::naturalCompare));
    Map<String, String> out = new LinkedHashMap<>();
    for (String[] p : pairs) {
      out.put(p[1], p[0]);
    }
    return out;
  }

  private static Optional<String> stem(Path f) {
    String name = f.getFileName().toString();
    for (String ext : IMAGE_EXTENSIONS) {
      if (name.toLowerCase().endsWith(ext) && !name.startsWith(".")) {
        return Optional.of(name.substring(0, name.length() - ext.length()));
      }
    }
    return Optional.empty();
  }

  static int naturalCompare(String a, String b) {
    boolean na = a.chars().allMatch(Character::isDigit) && !a.isEmpty();
    boolean nb = b.chars().allMatch(Character::isDigit) && !b.isEmpty();
    if (na && nb && a.length() != b.length()) {
      return Integer.compare(a.length(), b.length());
    }
    return a.compareTo(b);
  }

  private List<String> readSplit(Map<String, String> found) {
    Path file = options.splitFile();
    List<String> ids = new ArrayList<>();
    for (String line : Images.readText(file, "split file").split("\\R")) {
      String entry = line.strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      String id = entry.substring(entry.lastIndexOf('/') + 1).replaceFirst("\\.[A-Za-z]+$", "");
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
    return "fscoco:" + root;
  }

  @Override
  public List<String> ids() {
    return List.copyOf(userOf.keySet());
  }

  @Override
  public Set<SampleKind> kinds() {
    return Files.isDirectory(root.resolve("images"))
        ? EnumSet.allOf(SampleKind.class)
        : EnumSet.of(SampleKind.HAND_DRAWN);
  }

  @Override
  public SkipLog skipped() {
    return skipLog;
  }

  @Override
  public Sample load(String id, SampleKind kind) {
    String user = userOf.get(id);
    if (user == null) {
      throw new DataException(root, "no sample with id " + id);
    }
    String caption =
        Images.readText(root.resolve("text").resolve(user).resolve(id + ".txt"), "caption file");
    Optional<BufferedImage> photo = findImage("images", user, id).map(Images::read);
    Map<String, Mask> photoMasks = photoMasks(id, photo);
    Map<String, List<String>> words = CategoryWords.find(caption, vocabulary);
    if (kind == SampleKind.SYNTHETIC) {
      BufferedImage p =
          photo.orElseThrow(
              () ->
                  new DataException(
                      root.resolve("images").resolve(user).resolve(id + ".jpg"), "photo missing"));
      BufferedImage sketch = SyntheticSketcher.sketch(p, options.synthetic());
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
    Path sketchFile =
        findImage("raster_sketches", user, id)
            .orElseThrow(
                () ->
                    new DataException(
                        root.resolve("raster_sketches").resolve(user),
                        "sketch " + id + " missing"));
    BufferedImage sketch = Images.read(sketchFile);
    Optional<VectorSketch> strokes =
        readStrokes(root.resolve("vector_sketches").resolve(user).resolve(id + ".npy"));
    return new Sample(
        id, kind, photo, sketch, strokes, caption, photoMasks, Optional.empty(), words);
  }

  private Optional<Path> findImage(String folder, String user, String id) {
    for (String ext : IMAGE_EXTENSIONS) {
      Path p = root.resolve(folder).resolve(user).resolve(id + ext);
      if (Files.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private Map<String, Mask> photoMasks(String id, Optional<BufferedImage> photo) {
    if (coco == null || !id.chars().allMatch(Character::isDigit)) {
      return Map.of();
    }
    long imageId = Long.parseLong(id);
    Optional<CocoInstances.ImageInfo> info = coco.image(imageId);
    if (info.isEmpty()) {
      return Map.of();
    }
    if (photo.isPresent()
        && (photo.get().getWidth() != info.get().width()
            || photo.get().getHeight() != info.get().height())) {
      throw new DataException(
          coco.source(),
          "image "
              + imageId
              + " is "
              + info.get().width()
              + "x"
              + info.get().height()
              + " in the annotations but its photo is "
              + photo.get().getWidth()
              + "x"
              + photo.get().getHeight());
    }
    return coco.categoryMasks(imageId);
  }

  /** Reads an FS-COCO .npy stroke file (N, 3); absent → empty. */
  public static Optional<VectorSketch> readStrokes(Path npy) {
    if (!Files.isRegularFile(npy)) {
      return Optional.empty();
    }
    Npy.Array a = Npy.read(npy);
    if (a.shape().length != 2 || a.shape()[1] != 3) {
      throw new DataException(
          npy, "stroke array must have shape (N, 3), has " + java.util.Arrays.toString(a.shape()));
    }
    double[][] rows = new double[a.shape()[0]][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new double[] {a.get(i, 0), a.get(i, 1), a.get(i, 2)};
    }
    return Optional.of(new VectorSketch(rows));
  }
}
