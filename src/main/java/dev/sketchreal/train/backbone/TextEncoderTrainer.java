package dev.sketchreal.train.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.Json;
import dev.sketchreal.model.clip.ClipConfig;
import dev.sketchreal.model.clip.ClipModel;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.nn.Scalars;
import dev.sketchreal.runtime.Compute;
import dev.sketchreal.train.AdamW;
import dev.sketchreal.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * CLIP-style contrastive training of a text tower with an image tower on photo/caption pairs:
 * symmetric InfoNCE over the batch with a learnable logit scale (CLIPModel's logits_per_image).
 * Identical captions in a batch count as positives for each other (soft targets). Photos are
 * normalised with the OpenAI CLIP mean/std. Outputs {@code <out>/text_encoder/} (CLIPTextModel
 * layout: the text tower without projection, what the diffusion pipeline conditions on) and the
 * whole pair as a CLIPModel folder (with the tokenizer and a preprocessor_config.json) for
 * evaluation.
 */
public final class TextEncoderTrainer implements AutoCloseable {
  public static final String COMPONENT = "text_encoder";
  private final TextEncoderTrainConfig config;
  private final PhotoCaptionSet data;
  private final PhotoCaptionSet eval;
  private final Path tokenizerDir;
  private final ClipTokenizer tokenizer;
  private final ObjectNode modelJson;
  private final NDManager manager;
  private final ClipModel clip;
  private final AdamW optimizer;
  private final long[][] ids;
  private final int[] lengths;
  private final int imageSize;
  private final Map<String, Double> lastMetrics = new LinkedHashMap<>();

  public TextEncoderTrainer(
      TextEncoderTrainConfig config,
      PhotoCaptionSet data,
      PhotoCaptionSet eval,
      Path tokenizerDir) {
    this.config = config;
    this.data = data;
    this.eval = eval;
    this.tokenizerDir = tokenizerDir;
    this.tokenizer = ClipTokenizer.load(tokenizerDir);
    this.modelJson = config.modelJson(tokenizer);
    ClipConfig cc = TextEncoderTrainConfig.readClip(modelJson);
    this.imageSize = cc.visionConfig().imageSize();
    if (data.imageSize() != imageSize) {
      throw new IllegalArgumentException(
          "photos are " + data.imageSize() + " px, the vision tower wants " + imageSize);
    }
    this.manager = Compute.newManager();
    this.clip = new ClipModel(cc);
    clip.initialize(manager, new SplittableRandom(config.seed()));
    clip.setTrainable(true);
    this.optimizer =
        new AdamW(
            manager,
            List.of(AdamW.Group.of("clip", clip, config.learningRate(), config.weightDecay())));
    this.ids = new long[data.size()][];
    this.lengths = new int[data.size()];
    for (int i = 0; i < data.size(); i++) {
      ClipTokenizer.Encoding e = tokenizer.encode(data.captions().get(i));
      ids[i] = e.idsAsLong();
      lengths[i] = e.length();
    }
  }

  public ClipModel model() {
    return clip;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** CLIP pixel values of photo i of a set: [-1, 1] → [0, 1] → (x − mean) / std. */
  static float[] pixels(PhotoCaptionSet set, int i) {
    float[] p = set.photo(i);
    int plane = p.length / 3;
    for (int c = 0; c < 3; c++) {
      for (int k = 0; k < plane; k++) {
        int j = c * plane + k;
        p[j] =
            ((p[j] + 1f) * 0.5f - TextEncoderTrainConfig.MEAN[c]) / TextEncoderTrainConfig.STD[c];
      }
    }
    return p;
  }

  /** The losses of one step. */
  public Map<String, NDArray> step(long step, SplittableRandom random, NDManager m) {
    int b = Math.min(config.batchSize(), data.size());
    int[] pick = new int[b];
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (int k = 0; k < b; k++) {
      int i;
      do {
        i = random.nextInt(data.size());
      } while (!used.add(i));
      pick[k] = i;
    }
    int plane = 3 * imageSize * imageSize;
    // The tower is causal and pools at the first EOS, so positions after the longest caption of
    // the batch change nothing: drop them (about 2x cheaper on short captions).
    int len = 0;
    for (int k = 0; k < b; k++) {
      len = Math.max(len, lengths[pick[k]]);
    }
    float[] px = new float[b * plane];
    long[] tok = new long[b * len];
    float[] target = new float[b * b];
    for (int k = 0; k < b; k++) {
      System.arraycopy(pixels(data, pick[k]), 0, px, k * plane, plane);
      System.arraycopy(ids[pick[k]], 0, tok, k * len, len);
    }
    for (int r = 0; r < b; r++) {
      int same = 0;
      for (int c = 0; c < b; c++) {
        if (data.captions().get(pick[r]).equals(data.captions().get(pick[c]))) {
          same++;
        }
      }
      for (int c = 0; c < b; c++) {
        if (data.captions().get(pick[r]).equals(data.captions().get(pick[c]))) {
          target[r * b + c] = 1f / same;
        }
      }
    }
    NDArray pixels = m.create(px, new Shape(b, 3, imageSize, imageSize));
    NDArray inputIds = m.create(tok, new Shape(b, len));
    NDArray targets = m.create(target, new Shape(b, b)); // symmetric
    NDArray logits = clip.logitsPerImage(pixels, inputIds); // (images, texts)
    NDArray lossImage = Scalars.div(logits.logSoftmax(1).mul(targets).sum().neg(), b);
    NDArray lossText = Scalars.div(logits.logSoftmax(0).mul(targets).sum().neg(), b);
    NDArray total = Scalars.mul(lossImage.add(lossText), 0.5f);
    NDArray labels = m.arange(0, b, 1, DataType.INT64);
    NDArray acc = logits.argMax(1).eq(labels).toType(DataType.FLOAT32, false).mean();
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put("total", total);
    out.put("image_to_text", lossImage);
    out.put("text_to_image", lossText);
    out.put("acc", acc);
    out.put(
        "logit_scale", logits.getManager().zeros(new Shape()).add(clip.logitScale().array()).exp());
    return out;
  }

  /** Trains (or resumes), exporting after every chunk. */
  public long train(
      Path out, Path clipOut, Path runDir, boolean resume, boolean progress, PrintStream log)
      throws IOException {
    return TrainingRun.run(
        manager,
        optimizer,
        this::step,
        runDir,
        Json.mapper().valueToTree(config),
        config.settings(),
        resume,
        progress,
        (step, entries) -> export(out, clipOut, step, log),
        log);
  }

  /**
   * Writes {@code <out>/text_encoder/} and, when {@code clipOut} is not null, the CLIPModel pair.
   */
  public Map<String, Double> export(Path out, Path clipOut, long step, PrintStream log)
      throws IOException {
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (eval != null) {
      metrics.putAll(evalRetrieval());
    }
    ObjectNode text = Json.mapper().valueToTree(clip.config().textConfig());
    text.remove("projection_dim");
    text.putArray("architectures").add("CLIPTextModel");
    text.put("model_type", "clip_text_model");
    text.put("torch_dtype", config.fp16() ? "float16" : "float32");
    Components.write(
        out.resolve(COMPONENT),
        text,
        "model.safetensors",
        clip.namedParameters(),
        k -> k.startsWith("text_model."),
        config.fp16());
    Components.updateModelIndex(out, COMPONENT, "transformers", "CLIPTextModel");
    ObjectNode report = Json.mapper().createObjectNode();
    report.put("step", step);
    metrics.forEach(report::put);
    Json.writeAtomically(out.resolve(COMPONENT).resolve("training_metrics.json"), report);
    if (clipOut != null) {
      ObjectNode full = modelJson.deepCopy();
      full.putArray("architectures").add("CLIPModel");
      full.put("model_type", "clip");
      Components.write(
          clipOut, full, "model.safetensors", clip.namedParameters(), k -> true, config.fp16());
      for (String f :
          List.of("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")) {
        Files.copy(
            tokenizerDir.resolve(f), clipOut.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
      ObjectNode pre = Json.mapper().createObjectNode();
      pre.putObject("crop_size").put("height", imageSize).put("width", imageSize);
      pre.put("do_center_crop", true);
      pre.put("do_normalize", true);
      pre.put("do_resize", true);
      pre.put("do_rescale", true);
      pre.put("rescale_factor", 1.0 / 255);
      var mean = pre.putArray("image_mean");
      var std = pre.putArray("image_std");
      for (int c = 0; c < 3; c++) {
        mean.add(TextEncoderTrainConfig.MEAN[c]);
        std.add(TextEncoderTrainConfig.STD[c]);
      }
      pre.put("image_processor_type", "CLIPImageProcessor");
      pre.put("resample", 3);
      pre.putObject("size").put("shortest_edge", imageSize);
      Json.writeAtomically(clipOut.resolve("preprocessor_config.json"), pre);
      Json.writeAtomically(clipOut.resolve("training_metrics.json"), report);
    }
    lastMetrics.clear();
    lastMetrics.putAll(metrics);
    log.println("text-encoder: exported step " + step + " " + metrics);
    return metrics;
  }

  public Map<String, Double> lastMetrics() {
    return lastMetrics;
  }

  /** Top-1 image→text and text→image retrieval accuracy among the first eval_samples pairs. */
  private Map<String, Double> evalRetrieval() {
    int n = Math.min(config.evalSamples() <= 0 ? 128 : config.evalSamples(), eval.size());
    int plane = 3 * imageSize * imageSize;
    int len = tokenizer.maxLength();
    float[] px = new float[n * plane];
    long[] tok = new long[n * len];
    for (int k = 0; k < n; k++) {
      System.arraycopy(pixels(eval, k), 0, px, k * plane, plane);
      System.arraycopy(tokenizer.encode(eval.captions().get(k)).idsAsLong(), 0, tok, k * len, len);
    }
    try (NDManager m = manager.newSubManager()) {
      NDArray logits =
          clip.logitsPerImage(
              m.create(px, new Shape(n, 3, imageSize, imageSize)),
              m.create(tok, new Shape(n, len)));
      long[] i2t = logits.argMax(1).toLongArray();
      long[] t2i = logits.argMax(0).toLongArray();
      int a = 0;
      int c = 0;
      for (int k = 0; k < n; k++) {
        a += eval.captions().get((int) i2t[k]).equals(eval.captions().get(k)) ? 1 : 0;
        c += eval.captions().get((int) t2i[k]).equals(eval.captions().get(k)) ? 1 : 0;
      }
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("eval_pairs", (double) n);
      out.put("eval_image_to_text_top1", (double) a / n);
      out.put("eval_text_to_image_top1", (double) c / n);
      return out;
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
