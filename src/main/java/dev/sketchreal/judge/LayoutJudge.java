package dev.sketchreal.judge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.io.TensorSources;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.GroupNorm;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.StateDict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The layout judge: a small fully-convolutional U-Net that segments a photo (B, 3, S, S) in [-1, 1]
 * into per-pixel logits over {@link JudgeConfig#classes()} (background + SketchWorld categories).
 *
 * <pre>
 *   enc0..enc3: stride-2 conv + conv (1/2 … 1/16 of S)
 *   dec2..dec0: bilinear ×2, 1×1 lateral to the skip width, add the skip, conv
 *   head:       at S/2, concat the photo resized to S/2, 1×1 conv + GroupNorm + ReLU (the
 *               penultimate feature map), 1×1 classifier, logits bilinearly upsampled to S
 * </pre>
 *
 * {@link #features} is the penultimate map averaged over the image: the FID-SW feature.
 */
public final class LayoutJudge extends Module {
  private static final int BILINEAR = 2;

  private final JudgeConfig config;
  private final Stage[] encoder = new Stage[4];
  private final Conv2d[] lateral = new Conv2d[3];
  private final Block[] decoder = new Block[3];
  private final Conv2d headConv;
  private final GroupNorm headNorm;
  private final Conv2d classifier;

  public LayoutJudge(JudgeConfig config) {
    this.config = config;
    int g = config.groups();
    int in = 3;
    for (int i = 0; i < 4; i++) {
      int c = config.channels().get(i);
      encoder[i] = child("enc" + i, new Stage(in, c, g, i == 3 ? 2 : 1));
      in = c;
    }
    for (int i = 2; i >= 0; i--) {
      int c = config.channels().get(i);
      lateral[i] = child("lat" + i, new Conv2d(config.channels().get(i + 1), c, 1, 1, 0));
      decoder[i] = child("dec" + i, new Block(c, c, 1, g));
    }
    int head = config.headChannels();
    headConv = child("head_conv", new Conv2d(config.channels().get(0) + 3, head, 1, 1, 0));
    headNorm = child("head_norm", new GroupNorm(groupsFor(head), head, 1e-5));
    classifier = child("classifier", new Conv2d(head, config.numClasses(), 1, 1, 0));
  }

  private static int groupsFor(int channels) {
    for (int g : new int[] {8, 4, 2}) {
      if (channels % g == 0) {
        return g;
      }
    }
    return 1;
  }

  public JudgeConfig config() {
    return config;
  }

  /**
   * Per-pixel class logits (B, K, S, S) of photos (B, 3, S, S) in [-1, 1] (computed at S/2 and
   * upsampled bilinearly). S is normally the judge's image size; training uses square crops.
   */
  public NDArray logits(NDArray photos) {
    NDArray half = classifier.forward(penultimate(photos));
    return upsample(half, photos.getShape().get(2));
  }

  /**
   * The penultimate feature map (B, head_channels, S/2, S/2): the last decoder level joined with
   * the photo's colours at that resolution, 1×1 conv, GroupNorm, ReLU.
   */
  public NDArray penultimate(NDArray photos) {
    requireInput(photos);
    NDArray[] skips = new NDArray[4];
    NDArray x = photos;
    for (int i = 0; i < 4; i++) {
      x = encoder[i].forward(x);
      skips[i] = x;
    }
    for (int i = 2; i >= 0; i--) {
      NDArray up = upsample(x, skips[i].getShape().get(2));
      x = decoder[i].forward(skips[i].add(lateral[i].forward(up)));
    }
    NDArray small = resize(photos, x.getShape().get(2), x.getShape().get(3));
    NDArray h = headConv.forward(x.concat(small, 1));
    return ai.djl.nn.Activation.relu(headNorm.forward(h));
  }

  /**
   * One pass for evaluation: photos (B, 3, H, W) in [-1, 1] of any size are resized to the judge's
   * size; returns {logits resized to (outH, outW), FID-SW features (B, head_channels)}.
   */
  public NDArray[] logitsAndFeatures(NDArray photos, long outH, long outW) {
    NDArray x = resize(photos, config.imageSize(), config.imageSize());
    NDArray pen = penultimate(x);
    NDArray logits = resize(classifier.forward(pen), outH, outW);
    return new NDArray[] {logits, pen.mean(new int[] {3}).mean(new int[] {2})};
  }

  /** FID-SW features: the penultimate map averaged over pixels, (B, head_channels). */
  public NDArray features(NDArray photos) {
    return penultimate(photos).mean(new int[] {3}).mean(new int[] {2});
  }

  /**
   * Photos of any size (B, 3, H, W) in [-1, 1] → class ids (B, H, W) (int64): resized to the
   * judge's size, segmented, logits resized back bilinearly, argmax.
   */
  public NDArray segment(NDArray photos) {
    long h = photos.getShape().get(2);
    long w = photos.getShape().get(3);
    NDArray logits = logits(resize(photos, config.imageSize(), config.imageSize()));
    if (h != config.imageSize() || w != config.imageSize()) {
      logits = resize(logits, h, w);
    }
    return logits.argMax(1);
  }

  /** Bilinear resize of (B, C, H, W) to (B, C, h, w); identity when the size matches. */
  public static NDArray resize(NDArray x, long h, long w) {
    if (x.getShape().get(2) == h && x.getShape().get(3) == w) {
      return x;
    }
    return x.getNDArrayInternal().interpolation(new long[] {h, w}, BILINEAR, false);
  }

  private static NDArray upsample(NDArray x, long size) {
    return x.getNDArrayInternal().interpolation(new long[] {size, size}, BILINEAR, false);
  }

  private void requireInput(NDArray photos) {
    Shape s = photos.getShape();
    // the judge's size at inference; square crops of any multiple of 16 while training
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != s.get(3) || s.get(2) % 16 != 0) {
      throw new IllegalArgumentException(
          "judge input must be (B, 3, S, S) with S a multiple of 16 ("
              + config.imageSize()
              + "), got "
              + s);
    }
  }

  /** Writes {@code config.json}, {@code model.safetensors} and {@code classes.txt}. */
  public void save(Path folder) throws IOException {
    Files.createDirectories(folder);
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    namedParameters().forEach((k, p) -> tensors.put(k, p.array()));
    SafetensorsWriter.write(
        folder.resolve("model.safetensors"), tensors, Map.of("format", "pt", "model", "judge"));
    Json.writeAtomically(folder.resolve("config.json"), config);
    dev.sketchreal.io.AtomicFiles.write(
        folder.resolve("classes.txt"),
        (String.join("\n", config.classes()) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Loads a judge folder written by {@link #save}. */
  public static LayoutJudge load(Path folder, NDManager manager) throws IOException {
    Path configFile = folder.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new IOException(folder + ": not a judge folder (config.json missing)");
    }
    JudgeConfig config = Json.readConfig(configFile, JudgeConfig.class);
    LayoutJudge judge = new LayoutJudge(config);
    try (SafetensorsFile file = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
      StateDict.load(judge, TensorSources.of(file), manager);
    }
    return judge;
  }

  /** conv3×3 + GroupNorm + ReLU. */
  static final class Block extends Module {
    private final Conv2d conv;
    private final GroupNorm norm;

    Block(int in, int out, int stride, int groups) {
      conv = child("conv", new Conv2d(in, out, 3, stride, 1));
      norm = child("norm", new GroupNorm(groups, out, 1e-5));
    }

    NDArray forward(NDArray x) {
      return ai.djl.nn.Activation.relu(norm.forward(conv.forward(x)));
    }
  }

  /** A stride-2 block followed by {@code extra} stride-1 blocks. */
  static final class Stage extends Module {
    private final Block[] blocks;

    Stage(int in, int out, int groups, int extra) {
      blocks = new Block[1 + extra];
      blocks[0] = child("0", new Block(in, out, 2, groups));
      for (int i = 1; i <= extra; i++) {
        blocks[i] = child(Integer.toString(i), new Block(out, out, 1, groups));
      }
    }

    NDArray forward(NDArray x) {
      for (Block b : blocks) {
        x = b.forward(x);
      }
      return x;
    }
  }
}
