package dev.sketchreal.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.data.Dataset;
import dev.sketchreal.data.Mask;
import dev.sketchreal.data.Preprocess;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import dev.sketchreal.data.sketchworld.Category;
import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import dev.sketchreal.eval.IouAccumulator;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.model.clip.ClipConfig;
import dev.sketchreal.model.clip.ClipModel;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.nn.Scalars;
import dev.sketchreal.sketch.SemanticSketchEncoder;
import dev.sketchreal.train.AdamW;
import dev.sketchreal.train.SoftDice;
import dev.sketchreal.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Trains the semantic sketch encoder from scratch: a small CLIPModel whose vision tower reads
 * sketches and whose text tower embeds the class prompts ("a sketch of a {}"). The objective is the
 * one {@link SemanticSketchEncoder#segment} reads out: for every patch p and class k, the logit
 * {@code exp(logit_scale) · cos(patch_p, text_k)} is trained with a binary cross-entropy against
 * the fraction of the patch the class covers, plus a soft Dice per class present in the batch.
 *
 * <p>Targets: synthetic sketches with the photo masks (pixel-aligned), and hand-drawn train
 * sketches with their sketch-space masks ({@code hand_drawn_fraction}). The test split is never
 * trained on; its hand-drawn sketches score the pseudo-masks ({@code eval.jsonl}).
 *
 * <p>Output ({@code out/}): a CLIPModel folder ({@code config.json}, {@code model.safetensors},
 * {@code tokenizer/}, {@code sketch_encoder.json}) loadable by {@link SemanticSketchEncoder#load},
 * plus {@code checkpoints/}, {@code train.jsonl}, {@code eval.jsonl}.
 */
public final class SketchEncoderTraining {
  private static final List<String> CLASSES = Category.words();

  private final SketchEncoderTrainingConfig config;
  private final JsonNode configJson;
  private final Dataset train;
  private final Dataset test;
  private final List<String> trainIds;
  private final boolean hasSynthetic;
  private final Map<String, Item> cache = new ConcurrentHashMap<>();
  private SemanticSketchEncoder encoder;
  private double lastLoss = Double.NaN; // the last trained step's loss (NaN before any)

  /** A preprocessed sketch: ink bytes (S×S) and per-pixel class bits as masks at S. */
  record Item(byte[] ink, Map<String, Mask> masks) {}

  public SketchEncoderTraining(SketchEncoderTrainingConfig config, Dataset train, Dataset test) {
    this.config = config;
    this.configJson = Json.mapper().valueToTree(config);
    this.train = train;
    this.test = test;
    this.trainIds = train.ids();
    this.hasSynthetic = train.kinds().contains(SampleKind.SYNTHETIC);
    if (trainIds.isEmpty()) {
      throw new IllegalArgumentException(train.name() + " has no samples");
    }
  }

  /** Opens the train and (when present) test split of a SketchWorld folder. */
  public static SketchEncoderTraining open(SketchEncoderTrainingConfig config, Path data) {
    SketchWorldDataset.Splits splits = SketchWorldDataset.trainAndTest(data);
    return new SketchEncoderTraining(config, splits.train(), splits.test());
  }

  /** The result of a run: the final step, its loss, the last pseudo-mask mIoU (NaN if none). */
  public record Result(long step, double lastLoss, double testMeanIou) {}

  public Result run(Path out, boolean resume, boolean progress, PrintStream log)
      throws IOException {
    Files.createDirectories(out);
    Json.writeAtomically(out.resolve("train_config.json"), config);
    Path tokenizerDir = out.resolve("tokenizer");
    ClipConfig clipConfig = prepareTokenizer(tokenizerDir);
    try (NDManager manager = dev.sketchreal.runtime.Compute.newManager()) {
      ClipModel clip = new ClipModel(clipConfig);
      clip.initialize(manager, new SplittableRandom(config.seed()));
      encoder =
          new SemanticSketchEncoder(clip, ClipTokenizer.load(tokenizerDir), config.classTemplate());
      AdamW optimizer =
          new AdamW(
              manager,
              List.of(
                  AdamW.Group.of("encoder", clip, config.learningRate(), config.weightDecay())));
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
              (reached, entries) -> {
                save(clip, clipConfig, config.classTemplate(), out);
                if (!entries.isEmpty()) {
                  lastLoss = entries.get(entries.size() - 1).losses().get("total");
                  if (reached < config.steps()) {
                    score(reached, config.evalLimit(), out, manager, log);
                  }
                }
              },
              log);
      // the finished encoder is scored on every test sketch
      double miou = step >= config.steps() ? score(step, -1, out, manager, log) : Double.NaN;
      return new Result(step, lastLoss, miou);
    }
  }

  /**
   * Scores the pseudo-masks on up to {@code limit} test hand-drawn sketches (-1: all) and appends
   * the result to {@code eval.jsonl}; NaN when evaluation is off ({@code eval_limit} 0, no test).
   */
  private double score(long step, int limit, Path out, NDManager manager, PrintStream log)
      throws IOException {
    if (test == null || config.evalLimit() == 0) {
      return Double.NaN;
    }
    IouAccumulator acc = evaluate(encoder, test, limit, manager);
    Json.appendLine(out.resolve("eval.jsonl"), acc.record(step));
    log.printf(
        "step %d: loss %.4f, pseudo-mask mIoU %.4f on %d test hand-drawn sketches%n",
        step, lastLoss, acc.meanIou(), acc.images());
    return acc.meanIou();
  }

  /** Writes (or copies) the tokenizer and returns the CLIP config completed from it. */
  private ClipConfig prepareTokenizer(Path tokenizerDir) throws IOException {
    int maxLength;
    int vocabSize;
    int bos;
    int eos;
    if (config.tokenizer() == null) {
      List<String> words = new ArrayList<>();
      for (String w : config.classTemplate().replace("{}", " ").split("\\s+")) {
        if (!w.isBlank()) {
          words.add(w);
        }
      }
      for (Category c : Category.values()) {
        words.add(c.word());
        words.add(c.plural());
      }
      MiniVocabulary.Info info = MiniVocabulary.write(tokenizerDir, words, 16);
      maxLength = info.maxLength();
      vocabSize = info.vocabSize();
      bos = info.bosId();
      eos = info.eosId();
    } else {
      Path src = Path.of(config.tokenizer());
      Files.createDirectories(tokenizerDir);
      try (Stream<Path> files = Files.list(src)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, tokenizerDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      ClipTokenizer tok = ClipTokenizer.load(tokenizerDir);
      maxLength = Math.min(tok.maxLength(), 77);
      bos = tok.bosId();
      eos = tok.eosId();
      vocabSize = Math.max(Math.max(bos, eos) + 1, tok.vocabSize());
    }
    ObjectNode clip =
        config.clip() == null ? Json.mapper().createObjectNode() : config.clip().deepCopy();
    ObjectNode text =
        clip.has("text_config")
            ? (ObjectNode) clip.get("text_config")
            : clip.putObject("text_config");
    text.put("vocab_size", vocabSize);
    text.put("bos_token_id", bos);
    text.put("eos_token_id", eos);
    text.put("pad_token_id", eos);
    text.put("max_position_embeddings", maxLength);
    return Json.mapper().treeToValue(clip, ClipConfig.class);
  }

  /** Writes the CLIPModel folder (config.json, model.safetensors, sketch_encoder.json). */
  static void save(ClipModel clip, ClipConfig clipConfig, String classTemplate, Path out)
      throws IOException {
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    clip.namedParameters().forEach((k, p) -> tensors.put(k, p.array()));
    SafetensorsWriter.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    ObjectNode json = Json.mapper().valueToTree(clipConfig);
    json.putArray("architectures").add("CLIPModel");
    json.put("model_type", "clip");
    ((ObjectNode) json.get("text_config")).put("model_type", "clip_text_model");
    ((ObjectNode) json.get("vision_config")).put("model_type", "clip_vision_model");
    json.put("torch_dtype", "float32");
    Json.writeAtomically(out.resolve("config.json"), json);
    Json.writeAtomically(
        out.resolve(SemanticSketchEncoder.SETTINGS_FILE), Map.of("class_template", classTemplate));
  }

  /** One step: a batch of sketches (hand-drawn or synthetic), random horizontal flips. */
  Map<String, NDArray> step(long step, SplittableRandom random, NDManager m) {
    int s = encoder.vision().config().imageSize();
    int patch = encoder.vision().config().patchSize();
    int g = encoder.vision().config().gridSize();
    int n = g * g;
    int k = CLASSES.size();
    int b = config.batchSize();
    float[] ink = new float[b * s * s];
    float[] target = new float[b * n * k];
    float area = patch * patch;
    for (int i = 0; i < b; i++) {
      String id = trainIds.get(random.nextInt(trainIds.size()));
      boolean hand = !hasSynthetic || random.nextDouble() < config.handDrawnFraction();
      boolean flip = random.nextBoolean();
      Item item = item(id, hand ? SampleKind.HAND_DRAWN : SampleKind.SYNTHETIC, s);
      for (int y = 0; y < s; y++) {
        for (int x = 0; x < s; x++) {
          ink[i * s * s + y * s + x] = (item.ink[y * s + (flip ? s - 1 - x : x)] & 0xff) / 255f;
        }
      }
      for (int c = 0; c < k; c++) {
        Mask mask = item.masks.get(CLASSES.get(c));
        if (mask == null) {
          continue;
        }
        for (int y = 0; y < g * patch; y++) {
          for (int x = 0; x < g * patch; x++) {
            if (mask.get(flip ? s - 1 - x : x, y)) {
              int p = (y / patch) * g + x / patch;
              target[(i * n + p) * k + c] += 1f / area;
            }
          }
        }
      }
    }
    NDArray strokes = m.create(ink, new Shape(b, 1, s, s));
    NDArray t = m.create(target, new Shape(b, n, k));
    NDArray logits = patchLogits(encoder, strokes, m);
    return losses(logits, t, config.diceWeight());
  }

  /**
   * exp(logit_scale) · cos(patch, class prompt): (B, N, K) over all categories. The norms get a
   * small epsilon and the scale is clamped at 100 (as CLIP does) to keep gradients finite.
   */
  static NDArray patchLogits(SemanticSketchEncoder encoder, NDArray strokes, NDManager m) {
    NDArray tokens = encoder.vision().patchTokens(encoder.pixelValues(strokes)); // (B, N, P)
    NDArray unit = tokens.div(tokens.norm(new int[] {2}, true).add(1e-6f));
    List<String> prompts = new ArrayList<>();
    for (String c : CLASSES) {
      prompts.add(encoder.classTemplate().replace("{}", c));
    }
    NDArray text = encoder.clip().textEmbeds(encoder.tokenizer().encodeBatch(prompts, m)); // (K, P)
    NDArray textUnit = text.div(text.norm(new int[] {1}, true).add(1e-6f));
    NDArray cosine = unit.matMul(textUnit.transpose());
    NDArray scale =
        clampAbove(m.zeros(new Shape()).add(encoder.clip().logitScale().array()), 4.6052f).exp();
    return cosine.mul(scale);
  }

  /** min(x, c) = c − relu(c − x), with add/sub only (a scalar minimum breaks autograd in DJL). */
  private static NDArray clampAbove(NDArray x, float c) {
    return ai.djl.nn.Activation.relu(x.neg().add(c)).neg().add(c);
  }

  /** Per-patch BCE (mean) + diceWeight · soft Dice over the classes present in the batch. */
  public static Map<String, NDArray> losses(NDArray logits, NDArray target, double diceWeight) {
    NDArray relu = ai.djl.nn.Activation.relu(logits);
    NDArray softplus = logits.abs().neg().exp().add(1).log().add(relu);
    NDArray bce = softplus.sub(logits.mul(target)).mean();
    NDArray p = logits.getNDArrayInternal().sigmoid();
    NDArray dice = SoftDice.loss(p, target, new int[] {0, 1});
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put("total", bce.add(Scalars.mul(dice, (float) diceWeight)));
    out.put("bce", bce);
    out.put("dice", dice);
    return out;
  }

  private Item item(String id, SampleKind kind, int size) {
    return cache.computeIfAbsent(
        id + "/" + kind,
        key -> {
          Sample sample = train.load(id, kind);
          float[] plane = Preprocess.sketch(sample.sketch(), size, 1);
          byte[] bytes = new byte[plane.length];
          for (int i = 0; i < plane.length; i++) {
            bytes[i] = (byte) Math.round(plane[i] * 255f);
          }
          Map<String, Mask> masks = new LinkedHashMap<>();
          sample
              .sketchMasks()
              .orElseGet(Map::of)
              .forEach((c, mask) -> masks.put(c, Preprocess.mask(mask, size)));
          return new Item(bytes, masks);
        });
  }

  /**
   * Scores the encoder folder {@code folder} (as exported by a run) on every test hand-drawn sketch
   * of {@code data} and writes {@code eval_final.json} beside it.
   *
   * @return the pseudo-mask mIoU
   */
  public static double evaluateExported(Path data, Path folder, PrintStream log)
      throws IOException {
    String split = Files.isRegularFile(data.resolve("splits/test.txt")) ? "test" : "all";
    Dataset test = SketchWorldDataset.open(data, split, true);
    try (NDManager manager = dev.sketchreal.runtime.Compute.newManager()) {
      SemanticSketchEncoder encoder = SemanticSketchEncoder.load(folder, manager);
      IouAccumulator acc = evaluate(encoder, test, -1, manager);
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("data", data.toString());
      summary.put("split", split);
      summary.put("sketches", acc.images());
      summary.put("miou", acc.meanIou());
      summary.put("mean_image_iou", acc.meanImageIou());
      summary.put("per_category", acc.perCategory());
      Json.writeAtomically(folder.resolve("eval_final.json"), summary);
      log.printf("pseudo-mask mIoU %.4f on %d %s sketches%n", acc.meanIou(), acc.images(), split);
      return acc.meanIou();
    }
  }

  /**
   * Pseudo-mask mIoU on the hand-drawn sketches of a dataset: for each sketch, the categories it
   * has sketch-space masks for are queried ({@link SemanticSketchEncoder#pseudoMasks}, at the
   * sketch's size) and compared with those masks.
   */
  public static IouAccumulator evaluate(
      SemanticSketchEncoder encoder, Dataset data, int limit, NDManager manager) {
    List<String> ids = data.ids();
    if (limit >= 0 && ids.size() > limit) {
      ids = ids.subList(0, limit);
    }
    IouAccumulator acc = new IouAccumulator(CLASSES);
    try (NDManager sub = manager.newSubManager()) {
      for (String id : ids) {
        Sample sample = data.load(id, SampleKind.HAND_DRAWN);
        Map<String, Mask> target = new LinkedHashMap<>();
        sample
            .sketchMasks()
            .orElseGet(Map::of)
            .forEach(
                (c, msk) -> {
                  if (!msk.isEmpty() && CLASSES.contains(c)) {
                    target.put(c, msk);
                  }
                });
        if (target.isEmpty()) {
          continue;
        }
        int w = sample.sketch().getWidth();
        int h = sample.sketch().getHeight();
        List<String> present = new ArrayList<>(target.keySet());
        try (NDManager one = sub.newSubManager()) {
          NDArray classes = encoder.classEmbeddings(present, one);
          NDArray strokes =
              one.create(
                  Preprocess.sketch(sample.sketch(), Math.max(w, h), 1),
                  new Shape(1, 1, Math.max(w, h), Math.max(w, h)));
          float[] bits =
              encoder.pseudoMasks(strokes, classes, Math.max(w, h), Math.max(w, h)).toFloatArray();
          Map<String, Mask> predicted = new LinkedHashMap<>();
          int side = Math.max(w, h);
          for (int c = 0; c < present.size(); c++) {
            boolean[] m = new boolean[side * side];
            for (int i = 0; i < m.length; i++) {
              m[i] = bits[c * side * side + i] > 0.5f;
            }
            predicted.put(present.get(c), new Mask(side, side, m));
          }
          Map<String, Mask> squareTarget = new LinkedHashMap<>();
          target.forEach((c, msk) -> squareTarget.put(c, Preprocess.mask(msk, side)));
          acc.add(predicted, squareTarget);
        }
      }
    }
    return acc;
  }
}
