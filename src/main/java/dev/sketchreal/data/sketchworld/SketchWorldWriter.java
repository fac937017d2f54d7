package dev.sketchreal.data.sketchworld;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.data.Images;
import dev.sketchreal.data.coco.CocoInstances;
import dev.sketchreal.data.coco.Rle;
import dev.sketchreal.data.sketchworld.SketchWorldGenerator.GeneratedSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Writes a SketchWorld dataset in the FS-COCO + MS-COCO layout (SKETCHWORLD.md, "Layout on disk").
 * Samples are generated and written in parallel; annotation files and splits are written last, from
 * results collected in id order, so the output is byte-identical for any thread count. Every file
 * is written atomically. Ids are 0..count-1; the last {@code round(count * test_fraction)} ids form
 * the test split.
 */
public final class SketchWorldWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What was written. */
  public record Summary(int count, int train, int test, long millis) {}

  /** Per-sample content of the annotation files, kept until all samples are done. */
  private record Written(long id, String file, List<Ann> photo, List<Ann> sketch) {}

  private record Ann(int categoryId, Rle rle) {}

  /** The scenes/<group>/<id>.json file. */
  public record SceneFile(
      @JsonProperty("id") long id,
      @JsonProperty("seed") long seed,
      @JsonProperty("caption") String caption,
      @JsonProperty("category_words") Map<String, List<String>> categoryWords,
      @JsonProperty("scene") SceneGraph scene,
      @JsonProperty("sketch_omitted") List<Integer> sketchOmitted,
      @JsonProperty("sketch_merged") List<Integer> sketchMerged) {}

  private SketchWorldWriter() {}

  /** Group folder of an id ("g000" for the first groupSize ids). */
  public static String group(long id, int groupSize) {
    return String.format("g%03d", id / groupSize);
  }

  /**
   * Generates ids 0..count-1 into {@code root}.
   *
   * @param progress called with the number of finished samples (from worker threads), or null
   */
  public static Summary write(
      Path root,
      SketchWorldConfig config,
      long seed,
      int count,
      int threads,
      IntConsumer progress) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    long start = System.nanoTime();
    SketchWorldGenerator generator = new SketchWorldGenerator(config);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    java.util.concurrent.atomic.AtomicInteger done =
        new java.util.concurrent.atomic.AtomicInteger();
    List<Written> written = new ArrayList<>(count);
    try {
      List<Future<Written>> futures = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        long id = i;
        futures.add(
            pool.submit(
                () -> {
                  Written w =
                      writeSample(root, generator.generate(seed, id), seed, config.groupSize());
                  if (progress != null) {
                    progress.accept(done.incrementAndGet());
                  }
                  return w;
                }));
      }
      for (Future<Written> f : futures) {
        written.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
    }
    int test = (int) Math.round(count * config.testFraction());
    writeAnnotations(root, config.size(), written);
    writeSplits(root, count, test);
    writeInfo(root, config, seed, count);
    return new Summary(count, count - test, test, (System.nanoTime() - start) / 1_000_000);
  }

  private static Written writeSample(Path root, GeneratedSample s, long seed, int groupSize) {
    String g = group(s.id(), groupSize);
    String name = s.id() + "";
    Images.writePng(s.photo(), root.resolve("images").resolve(g).resolve(name + ".png"));
    Images.writePng(
        s.handDrawnSketch(), root.resolve("raster_sketches").resolve(g).resolve(name + ".png"));
    Images.writePng(
        s.syntheticSketch(), root.resolve("synthetic_sketches").resolve(g).resolve(name + ".png"));
    Images.writeText(
        root.resolve("vector_sketches").resolve(g).resolve(name + ".json"),
        strokesJson(s.strokes().points()));
    Images.writeText(root.resolve("text").resolve(g).resolve(name + ".txt"), s.caption() + "\n");
    SceneFile scene =
        new SceneFile(
            s.id(), seed, s.caption(), s.categoryWords(), s.scene(), s.omitted(), s.merged());
    try {
      Images.writeText(
          root.resolve("scenes").resolve(g).resolve(name + ".json"),
          JSON.writeValueAsString(scene));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Written(
        s.id(), g + "/" + name + ".png", anns(s.photoMasks()), anns(s.sketchMasks()));
  }

  private static List<Ann> anns(List<InstanceMask> masks) {
    List<Ann> out = new ArrayList<>();
    for (InstanceMask m : masks) {
      if (!m.mask().isEmpty()) {
        out.add(new Ann(m.category().cocoId(), Rle.encode(m.mask())));
      }
    }
    return out;
  }

  /** [[x, y, pen], ...] with two decimals. */
  static String strokesJson(double[][] points) {
    StringBuilder sb = new StringBuilder(points.length * 16).append('[');
    for (int i = 0; i < points.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append('[')
          .append(Math.round(points[i][0] * 100) / 100.0)
          .append(',')
          .append(Math.round(points[i][1] * 100) / 100.0)
          .append(',')
          .append((int) points[i][2])
          .append(']');
    }
    return sb.append("]\n").toString();
  }

  private static void writeAnnotations(Path root, int size, List<Written> written) {
    CocoInstances.Builder photo = categories(new CocoInstances.Builder());
    CocoInstances.Builder sketch = categories(new CocoInstances.Builder());
    for (Written w : written) {
      photo.image(w.id(), w.file(), size, size);
      sketch.image(w.id(), w.file(), size, size);
      w.photo().forEach(a -> photo.annotation(w.id(), a.categoryId(), a.rle()));
      w.sketch().forEach(a -> sketch.annotation(w.id(), a.categoryId(), a.rle()));
    }
    photo.build().write(root.resolve("annotations/instances.json"));
    sketch.build().write(root.resolve("annotations/sketch_instances.json"));
  }

  private static CocoInstances.Builder categories(CocoInstances.Builder b) {
    for (Category c : Category.values()) {
      b.category(c.cocoId(), c.word(), c.inSky() ? "sky" : "ground");
    }
    return b;
  }

  private static void writeSplits(Path root, int count, int test) {
    StringBuilder train = new StringBuilder();
    StringBuilder testIds = new StringBuilder();
    for (int id = 0; id < count; id++) {
      (id < count - test ? train : testIds).append(id).append('\n');
    }
    Images.writeText(root.resolve("splits/train.txt"), train.toString());
    Images.writeText(root.resolve("splits/test.txt"), testIds.toString());
  }

  private static void writeInfo(Path root, SketchWorldConfig config, long seed, int count) {
    String info =
        "{\n  \"seed\": "
            + seed
            + ",\n  \"count\": "
            + count
            + ",\n  \"config\": "
            + config.toJson().replace("\n", "\n  ")
            + "\n}\n";
    Images.writeText(root.resolve("sketchworld.json"), info);
  }
}
