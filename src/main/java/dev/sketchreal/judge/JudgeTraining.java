package dev.sketchreal.judge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.data.Dataset;
import dev.sketchreal.data.Mask;
import dev.sketchreal.data.Preprocess;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import dev.sketchreal.eval.IouAccumulator;
import dev.sketchreal.io.Json;
import dev.sketchreal.nn.Scalars;
import dev.sketchreal.train.AdamW;
import dev.sketchreal.train.SoftDice;
import dev.sketchreal.train.TrainingLog;
import dev.sketchreal.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Trains the {@link LayoutJudge} on the photos of a SketchWorld folder with their exact per-pixel
 * labels: cross-entropy + soft Dice, AdamW, random horizontal flips and (optionally) random square
 * crops, which keep full resolution at a fraction of the cost. Runs in chunks of {@code
 * checkpoint_every} steps; after each chunk it checkpoints, exports the model folder to {@code
 * out/} and scores up to {@code eval_limit} test photos ({@code out/eval.jsonl}).
 */
public final class JudgeTraining {
  private final JudgeTrainingConfig config;
  private final JsonNode configJson;
  private final Dataset train;
  private final Dataset test;
  private final List<String> trainIds;
  private final Map<String, Item> cache = new ConcurrentHashMap<>();
  private LayoutJudge current;
  private double lastLoss = Double.NaN; // the last trained step's loss (NaN before any)

  /** A preprocessed training photo: RGB bytes (CHW) and class ids per pixel. */
  record Item(byte[] photo, byte[] labels) {}

  public JudgeTraining(JudgeTrainingConfig config, Dataset train, Dataset test) {
    this.config = config;
    this.configJson = Json.mapper().valueToTree(config);
    this.train = train;
    this.test = test;
    this.trainIds = train.ids();
    if (trainIds.isEmpty()) {
      throw new IllegalArgumentException(train.name() + " has no samples");
    }
  }

  /** Opens the train and (when present) test split of a SketchWorld folder. */
  public static JudgeTraining open(JudgeTrainingConfig config, Path data) {
    SketchWorldDataset.Splits splits = SketchWorldDataset.trainAndTest(data);
    return new JudgeTraining(config, splits.train(), splits.test());
  }

  /** The result of a run: the final step and the last evaluation (NaN when none ran). */
  public record Result(long step, double lastLoss, double testMeanIou) {}

  /**
   * Trains (or resumes) into {@code out}: {@code checkpoints/}, {@code train.jsonl}, {@code
   * eval.jsonl} and the exported judge ({@code config.json}, {@code model.safetensors}, {@code
   * classes.txt}).
   */
  public Result run(Path out, boolean resume, boolean progress, PrintStream log)
      throws IOException {
    Files.createDirectories(out);
    Json.writeAtomically(out.resolve("train_config.json"), config);
    try (NDManager manager = dev.sketchreal.runtime.Compute.newManager()) {
      LayoutJudge judge = new LayoutJudge(config.model());
      judge.initialize(manager, new SplittableRandom(config.seed()));
      current = judge;
      AdamW optimizer =
          new AdamW(
              manager,
              List.of(AdamW.Group.of("judge", judge, config.learningRate(), config.weightDecay())));
      long step =
          TrainingRun.run(
              manager,
              optimizer,
              this::step,
              out,
              configJson,
              config.settings(),
              resume,
              progress,
              (reached, entries) -> afterChunk(judge, out, reached, entries, manager, log),
              log);
      double miou = Double.NaN;
      if (test != null && config.evalLimit() != 0) {
        IouAccumulator acc = evaluate(judge, test, -1, manager);
        miou = acc.meanIou();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("step", step);
        summary.put("test_photos", acc.images());
        summary.put("miou", miou);
        summary.put("mean_image_iou", acc.meanImageIou());
        summary.put("per_category", acc.perCategory());
        Json.writeAtomically(out.resolve("eval_final.json"), summary);
        log.printf("final: test-photo mIoU %.4f on %d photos%n", miou, acc.images());
      }
      return new Result(step, lastLoss, miou);
    }
  }

  /** Exports the judge and scores up to {@code eval_limit} test photos ({@code eval.jsonl}). */
  private void afterChunk(
      LayoutJudge judge,
      Path out,
      long step,
      List<TrainingLog.Entry> entries,
      NDManager manager,
      PrintStream log)
      throws IOException {
    judge.save(out);
    if (entries.isEmpty()) {
      return; // a finished run resumed: nothing new to score
    }
    lastLoss = entries.get(entries.size() - 1).losses().get("total");
    if (test == null || config.evalLimit() == 0) {
      return;
    }
    IouAccumulator acc = evaluate(judge, test, config.evalLimit(), manager);
    Json.appendLine(out.resolve("eval.jsonl"), acc.record(step));
    log.printf(
        "step %d: loss %.4f, test-photo mIoU %.4f (%d photos)%n",
        step, lastLoss, acc.meanIou(), acc.images());
  }

  /** One training step: a random batch of photos with random horizontal flips. */
  Map<String, NDArray> step(long step, SplittableRandom random, NDManager m) {
    JudgeConfig mc = config.model();
    int s = mc.imageSize();
    int cs = config.cropSize() == null ? s : Math.min(s, config.cropSize());
    int k = mc.numClasses();
    int b = config.batchSize();
    float[] photos = new float[b * 3 * cs * cs];
    float[] onehot = new float[b * k * cs * cs];
    for (int i = 0; i < b; i++) {
      Item item = item(trainIds.get(random.nextInt(trainIds.size())));
      boolean flip = random.nextBoolean();
      int ox = random.nextInt(s - cs + 1);
      int oy = random.nextInt(s - cs + 1);
      for (int y = 0; y < cs; y++) {
        for (int x = 0; x < cs; x++) {
          int sx = ox + x;
          int src = (oy + y) * s + (flip ? s - 1 - sx : sx);
          int dst = y * cs + x;
          for (int c = 0; c < 3; c++) {
            photos[(i * 3 + c) * cs * cs + dst] =
                (item.photo[c * s * s + src] & 0xff) / 127.5f - 1f;
          }
          onehot[(i * k + item.labels[src]) * cs * cs + dst] = 1f;
        }
      }
    }
    NDArray x = m.create(photos, new Shape(b, 3, cs, cs));
    NDArray y = m.create(onehot, new Shape(b, k, cs, cs));
    return losses(current.logits(x), y, config.diceWeight());
  }

  /** Cross-entropy + diceWeight · soft Dice (classes present in the batch), and their total. */
  public static Map<String, NDArray> losses(NDArray logits, NDArray onehot, double diceWeight) {
    NDArray logp = logits.logSoftmax(1);
    NDArray ce = logp.mul(onehot).sum(new int[] {1}).mean().neg();
    NDArray p = logp.exp();
    NDArray dice = SoftDice.loss(p, onehot, new int[] {0, 2, 3});
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put("total", ce.add(Scalars.mul(dice, (float) diceWeight)));
    out.put("ce", ce);
    out.put("dice", dice);
    return out;
  }

  private Item item(String id) {
    return cache.computeIfAbsent(
        id, k -> toItem(train.load(k, SampleKind.HAND_DRAWN), config.model()));
  }

  static Item toItem(Sample sample, JudgeConfig mc) {
    int s = mc.imageSize();
    if (sample.photo().isEmpty()) {
      throw new IllegalArgumentException(
          "sample " + sample.id() + " has no photo: cannot train the judge");
    }
    float[] photo = Preprocess.photo(sample.photo().get(), s);
    byte[] bytes = new byte[photo.length];
    for (int i = 0; i < photo.length; i++) {
      bytes[i] = (byte) Math.round((photo[i] + 1f) * 127.5f);
    }
    return new Item(bytes, labelMap(sample.photoMasks(), s, mc.classes()));
  }

  /**
   * Per-pixel class ids (index in {@code classes}, 0 = background) of category masks resized to
   * {@code size}; where masks overlap the smaller object wins (it is the one in front).
   */
  public static byte[] labelMap(Map<String, Mask> masks, int size, List<String> classes) {
    byte[] labels = new byte[size * size];
    List<Map.Entry<String, Mask>> entries = new ArrayList<>();
    for (var e : masks.entrySet()) {
      if (classes.indexOf(e.getKey()) > 0) {
        entries.add(Map.entry(e.getKey(), Preprocess.mask(e.getValue(), size)));
      }
    }
    entries.sort(
        Comparator.comparingInt((Map.Entry<String, Mask> e) -> e.getValue().area()).reversed());
    for (var e : entries) {
      byte id = (byte) classes.indexOf(e.getKey());
      Mask mask = e.getValue();
      for (int i = 0; i < labels.length; i++) {
        if (mask.get(i)) {
          labels[i] = id;
        }
      }
    }
    return labels;
  }

  /**
   * Scores the judge on the photos of a dataset against their exact masks, at the judge's size.
   *
   * @param limit photos scored (the first ones; -1 = all)
   */
  public static IouAccumulator evaluate(
      LayoutJudge judge, Dataset data, int limit, NDManager manager) {
    JudgeConfig mc = judge.config();
    int s = mc.imageSize();
    List<String> ids = data.ids();
    if (limit >= 0 && ids.size() > limit) {
      ids = ids.subList(0, limit);
    }
    List<String> categories = mc.classes().subList(1, mc.numClasses());
    IouAccumulator acc = new IouAccumulator(categories);
    int batch = 16;
    for (int start = 0; start < ids.size(); start += batch) {
      List<Sample> samples = new ArrayList<>();
      for (String id : ids.subList(start, Math.min(ids.size(), start + batch))) {
        Sample sample = data.load(id, SampleKind.HAND_DRAWN);
        if (sample.photo().isPresent()) {
          samples.add(sample);
        }
      }
      if (samples.isEmpty()) {
        continue;
      }
      float[] photos = new float[samples.size() * 3 * s * s];
      for (int i = 0; i < samples.size(); i++) {
        System.arraycopy(
            Preprocess.photo(samples.get(i).photo().get(), s), 0, photos, i * 3 * s * s, 3 * s * s);
      }
      long[] labels;
      try (NDManager sub = manager.newSubManager()) {
        NDArray x = sub.create(photos, new Shape(samples.size(), 3, s, s));
        labels = judge.segment(x).toType(DataType.INT64, false).toLongArray();
      }
      for (int i = 0; i < samples.size(); i++) {
        Map<String, Mask> target = new LinkedHashMap<>();
        samples.get(i).photoMasks().forEach((c, msk) -> target.put(c, Preprocess.mask(msk, s)));
        acc.add(masksOf(labels, i, s, s, mc.classes()), target);
      }
    }
    return acc;
  }

  /**
   * Category masks (background left out, empty ones omitted) of image {@code i} of a label batch.
   */
  public static Map<String, Mask> masksOf(
      long[] labels, int i, int h, int w, List<String> classes) {
    boolean[][] bits = new boolean[classes.size()][];
    int off = i * h * w;
    for (int p = 0; p < h * w; p++) {
      int c = (int) labels[off + p];
      if (c > 0) {
        if (bits[c] == null) {
          bits[c] = new boolean[h * w];
        }
        bits[c][p] = true;
      }
    }
    Map<String, Mask> out = new LinkedHashMap<>();
    for (int c = 1; c < classes.size(); c++) {
      if (bits[c] != null) {
        out.put(classes.get(c), new Mask(w, h, bits[c]));
      }
    }
    return out;
  }
}
