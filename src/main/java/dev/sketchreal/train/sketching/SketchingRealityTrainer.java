package dev.sketchreal.train.sketching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.data.DataException;
import dev.sketchreal.data.Dataset;
import dev.sketchreal.data.Mask;
import dev.sketchreal.data.MixedBatchSampler;
import dev.sketchreal.data.Preprocess;
import dev.sketchreal.data.Sample;
import dev.sketchreal.data.SampleKind;
import dev.sketchreal.data.sketchworld.SketchWorldDataset;
import dev.sketchreal.io.AtomicFiles;
import dev.sketchreal.io.Json;
import dev.sketchreal.io.SafetensorsWriter;
import dev.sketchreal.model.Components;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.nn.Module;
import dev.sketchreal.pipeline.GaussianNoise;
import dev.sketchreal.pipeline.SketchingRealityModel;
import dev.sketchreal.pipeline.StableDiffusion;
import dev.sketchreal.sampling.SchedulerConfig;
import dev.sketchreal.sketch.LossTerms;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.sketch.Parameterization;
import dev.sketchreal.sketch.SemanticSketchEncoder;
import dev.sketchreal.sketch.SketchConditioner;
import dev.sketchreal.sketch.SketchModulator;
import dev.sketchreal.sketch.SketchingRealityObjective;
import dev.sketchreal.sketch.TokenRegion;
import dev.sketchreal.train.AdamW;
import dev.sketchreal.train.Checkpoint;
import dev.sketchreal.train.StepRandom;
import dev.sketchreal.train.Trainer;
import dev.sketchreal.train.TrainingLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The SketchingReality trainer (docs/METHOD.md §1–§6): a frozen latent-diffusion backbone, a
 * modulation network and the last layers of the semantic sketch encoder are trained on batches that
 * are half hand-drawn, half synthetic, at timesteps uniform in [0.9·T, T). Per step:
 *
 * <ol>
 *   <li>the step's batch (a pure function of seed and step: resumable), photos → VAE posterior mean
 *       × scaling factor = z0 (one sample at a time, cached per sample);
 *   <li>timesteps, then noise, from the step's counter-based generator;
 *   <li>captions → text context (frozen text encoder, the pipeline's text path);
 *   <li>sketches → stroke maps → {@link SketchConditioner#condition} with the <b>fine-tuned</b>
 *       encoder (gradients through its last layers) — the same input sampling uses;
 *   <li>regions: for each category the caption names, its words' token positions and a mask at
 *       latent resolution: the photo's exact mask (synthetic) or the <b>frozen original</b>
 *       encoder's pseudo-mask thresholded at 0.5 (hand-drawn);
 *   <li>{@link SketchingRealityObjective#compute} → total → backward → clip → AdamW (two groups:
 *       modulation, sketch encoder) — done by the generic {@link Trainer}.
 * </ol>
 *
 * Nothing of the backbone or the frozen encoder layers takes a gradient or optimizer state. Owns
 * the backbone's manager: close it.
 */
public final class SketchingRealityTrainer implements AutoCloseable {
  /** Optimizer group of the modulation network. */
  public static final String MODULATION_GROUP = "modulation";

  /** Optimizer group of the sketch encoder's last layers. */
  public static final String ENCODER_GROUP = "sketch_encoder";

  /** File in the run folder: fingerprint of the original encoder's weights (checked on resume). */
  public static final String ENCODER_FINGERPRINT = "sketch_encoder.sha256";

  private static final int MAX_REDRAWS = 1000;
  private static final int REDRAW_STREAM = 100;

  private final SketchingRealityTrainConfig config;
  private final Dataset handDrawn;
  private final Dataset synthetic;
  private final StableDiffusion backbone;
  private final SemanticSketchEncoder encoder;
  private final SemanticSketchEncoder original;
  private final SketchModulator modulator;
  private final SketchConditioner conditioner;
  private final SketchingRealityObjective objective;
  private final SamplerRollout rollout; // null: every state is forward-noised
  private final AdamW optimizer;
  private final int imageSize;
  private final int latentSize;
  private final Map<String, float[]> latentCache = new HashMap<>();
  private final Map<String, float[]> maskCache = new HashMap<>();
  private final Map<String, float[]> classCache = new HashMap<>();
  private MixedBatchSampler sampler;
  private float[] emptyContext;
  private Shape emptyContextShape;
  private long samplerBatches;

  /**
   * One named region of a sample before it becomes a {@link TokenRegion}.
   *
   * @param category the category name
   * @param tokenPositions its caption words' token positions
   * @param mask (latent × latent) row-major, 0/1
   * @param pseudo whether the mask is the frozen encoder's pseudo-mask (hand-drawn) rather than the
   *     photo's exact mask (synthetic)
   */
  public record CategoryRegion(
      String category, int[] tokenPositions, float[] mask, boolean pseudo) {}

  /** Opens a SketchWorld-layout folder for both kinds of sketches and builds the trainer. */
  public static SketchingRealityTrainer open(SketchingRealityTrainConfig config, Path data)
      throws IOException {
    SketchWorldDataset ds = SketchWorldDataset.open(data, config.split(), config.skipBad());
    return new SketchingRealityTrainer(config, ds, ds);
  }

  /**
   * Loads the backbone and the sketch encoder (twice), creates the modulation network (seeded) and
   * the optimizer.
   *
   * @param handDrawn source of hand-drawn samples
   * @param synthetic source of synthetic samples (may be the same dataset)
   */
  public SketchingRealityTrainer(
      SketchingRealityTrainConfig config, Dataset handDrawn, Dataset synthetic) throws IOException {
    this.config = config;
    this.handDrawn = handDrawn;
    this.synthetic = synthetic;
    this.backbone = StableDiffusion.load(config.backbonePath());
    try {
      NDManager manager = backbone.manager();
      ModulationConfig mc = config.modulation();
      Path encoderDir = config.sketchEncoderPath();
      this.original = SemanticSketchEncoder.load(encoderDir, manager);
      original.clip().setTrainable(false);
      if (mc.variant() == ModulationConfig.Variant.SEMANTIC_BRANCHES) {
        Path start = config.initFromPath().map(p -> p.resolve("sketch_encoder")).orElse(encoderDir);
        this.encoder = SemanticSketchEncoder.load(start, manager);
        int layers = encoder.vision().layers().size();
        if (config.encoderLayers() > layers) {
          throw new IllegalArgumentException(
              "encoder_layers "
                  + config.encoderLayers()
                  + " but "
                  + encoderDir
                  + " has only "
                  + layers
                  + " vision layers");
        }
        encoder.trainLastLayers(config.encoderLayers());
        if (mc.featureChannels() != encoder.featureChannels()) {
          throw new IllegalArgumentException(
              "modulation feature_channels "
                  + mc.featureChannels()
                  + " != sketch encoder projection_dim "
                  + encoder.featureChannels());
        }
      } else {
        this.encoder = null; // the ablations do not read encoder features
      }
      int latentChannels = backbone.unet().config().inChannels();
      if (mc.latentChannels() != latentChannels) {
        throw new IllegalArgumentException(
            "modulation latent_channels " + mc.latentChannels() + " != UNet's " + latentChannels);
      }
      this.imageSize =
          config.imageSize() != null ? config.imageSize() : backbone.defaultImageSize();
      int f = backbone.vaeScaleFactor();
      if (imageSize % f != 0) {
        throw new IllegalArgumentException(
            "image_size " + imageSize + " is not a multiple of the VAE factor " + f);
      }
      this.latentSize = imageSize / f;
      if (mc.variant() == ModulationConfig.Variant.RAW_SKETCH_UNET && mc.vaeScaleFactor() != f) {
        throw new IllegalArgumentException(
            "modulation vae_scale_factor " + mc.vaeScaleFactor() + " != the VAE's factor " + f);
      }
      SketchingRealityModel.checkCompatible(config.backbonePath(), backbone, mc);
      this.modulator = SketchModulator.create(mc);
      modulator.module().initialize(manager, StepRandom.forStep(config.seed(), 0, 1));
      if (config.initFromPath().isPresent()) {
        loadModulation(config.initFromPath().get(), manager);
      }
      modulator.module().setTrainable(true);
      this.conditioner = new SketchConditioner(mc.variant(), encoder, backbone.vae());
      this.objective =
          new SketchingRealityObjective(
              backbone.unet(),
              modulator,
              parameterization(backbone.schedule().predictionType()),
              backbone.schedule().alphasCumprod());
      this.rollout =
          config.rollout().enabled()
              ? new SamplerRollout(
                  config.rollout(), new SketchingRealityModel(backbone, modulator, conditioner))
              : null;
      List<AdamW.Group> groups = new ArrayList<>();
      groups.add(
          AdamW.Group.of(
              MODULATION_GROUP, modulator.module(), config.lrModulation(), config.weightDecay()));
      if (encoder != null && config.encoderLayers() > 0) {
        groups.add(
            AdamW.Group.of(
                ENCODER_GROUP, encoder.clip(), config.lrEncoder(), config.weightDecay()));
      }
      this.optimizer = new AdamW(manager, groups);
    } catch (IOException | RuntimeException e) {
      backbone.close();
      throw e;
    }
  }

  // The starting weights of init_from, loaded strictly: another architecture (variant, widths,
  // stages) fails on a missing key or a shape. One addition is allowed: a run with text_channels
  // may start from a modulator without text, its text projection staying at its zero start.
  private void loadModulation(Path init, NDManager manager) throws IOException {
    Path dir = init.resolve("modulation");
    try {
      ModulationConfig source =
          Json.readConfig(Components.requireFile(dir, "config.json"), ModulationConfig.class);
      if (modulator.config().textChannels() > 0 && source.textChannels() == 0) {
        copyWithoutText(source, dir, manager);
      } else {
        Components.loadWeights(modulator.module(), dir, manager);
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "init_from "
              + init
              + ": its modulation network does not fit this run's: "
              + e.getMessage(),
          e);
    }
  }

  // Loads the text-free source strictly into its own network, then copies every parameter by
  // name; what the run's network has beyond it must be the text projection.
  private void copyWithoutText(ModulationConfig source, Path dir, NDManager manager)
      throws IOException {
    SketchModulator from = SketchModulator.create(source);
    from.module().initialize(manager, StepRandom.forStep(0, 0, 1));
    Components.loadWeights(from.module(), dir, manager);
    var target = modulator.module().namedParameters();
    for (var entry : from.module().namedParameters().entrySet()) {
      var p = target.get(entry.getKey());
      NDArray value = entry.getValue().array();
      if (p == null || !p.shape().equals(value.getShape())) {
        throw new IllegalArgumentException(
            "parameter '" + entry.getKey() + "' " + value.getShape() + " has no counterpart");
      }
      p.set(value.duplicate());
    }
    for (String name : target.keySet()) {
      if (!from.module().namedParameters().containsKey(name) && !name.startsWith("text_proj.")) {
        throw new IllegalArgumentException("missing key " + name);
      }
    }
  }

  private static Parameterization parameterization(SchedulerConfig.PredictionType type) {
    try {
      return Parameterization.of(type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SketchingReality training " + e.getMessage(), e);
    }
  }

  // ---- running ----

  /**
   * The generic loop over {@link #stepLosses}, writing checkpoints and the log into {@code run}.
   */
  public Trainer trainer(Path run, boolean showProgress) {
    Trainer.Options options =
        new Trainer.Options(
            config.steps(),
            config.seed(),
            config.maxGradNorm(),
            config.checkpointEvery(),
            config.keepCheckpoints(),
            run,
            Json.mapper().valueToTree(config),
            Trainer.Schedule.linearWarmup(config.warmupSteps()),
            showProgress);
    return new Trainer(backbone.manager(), optimizer, this::stepLosses, options);
  }

  /**
   * Trains to {@code steps}. With {@code resume} it continues from the newest checkpoint in {@code
   * run} (exactly: the same losses as an uninterrupted run); without, the run folder must not hold
   * checkpoints yet.
   *
   * @return the log entries of the steps run now
   */
  public List<TrainingLog.Entry> train(Path run, boolean resume, boolean showProgress)
      throws IOException {
    Trainer trainer = trainer(run, showProgress);
    Path fingerprintFile = run.resolve(ENCODER_FINGERPRINT);
    String fingerprint = encoderFingerprint(config.sketchEncoderPath());
    if (resume) {
      if (Files.isRegularFile(fingerprintFile)
          && !Files.readString(fingerprintFile).strip().equals(fingerprint)) {
        throw new IllegalStateException(
            "the sketch encoder "
                + config.sketchEncoderPath()
                + " is not the one this run started from (was it replaced by the fine-tuned"
                + " output?): hand-drawn pseudo-masks must come from the original; point"
                + " sketch_encoder at it");
      }
      trainer.resume();
    } else if (Checkpoint.latest(run.resolve("checkpoints")).isPresent()) {
      throw new IllegalStateException(
          run + " already has checkpoints: pass --resume to continue, or use another run folder");
    }
    Files.createDirectories(run);
    AtomicFiles.write(fingerprintFile, (fingerprint + "\n").getBytes(StandardCharsets.UTF_8));
    return trainer.run();
  }

  /** SHA-256 over the weight files (*.safetensors, sorted by name) of an encoder folder. */
  static String encoderFingerprint(Path folder) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
    }
    byte[] buffer = new byte[1 << 20];
    for (Path f : files) {
      digest.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
      try (InputStream in = Files.newInputStream(f)) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
        }
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Times training steps: {@code warmup} untimed steps, then {@code runs} timed ones (step compute,
   * backward, clipping, AdamW; no checkpoint or log I/O). Changes the weights: use a throw-away
   * trainer.
   *
   * @return milliseconds of each timed step
   */
  public double[] benchmark(int warmup, int runs) throws IOException {
    Path tmp = Files.createTempDirectory("sr-train-bench");
    try {
      SketchingRealityTrainConfig c = config;
      Trainer.Options options =
          new Trainer.Options(
              optimizer.stepCount() + warmup + runs,
              c.seed(),
              c.maxGradNorm(),
              0,
              1,
              tmp,
              null,
              Trainer.Schedule.constant(),
              false);
      List<TrainingLog.Entry> entries =
          new Trainer(backbone.manager(), optimizer, this::stepLosses, options).run();
      double[] ms = new double[runs];
      for (int i = 0; i < runs; i++) {
        ms[i] = entries.get(warmup + i).stepTimeSeconds() * 1000;
      }
      return ms;
    } finally {
      deleteRecursively(tmp);
    }
  }

  /**
   * The losses of step {@code step} (the {@link Trainer.StepFunction}). With {@code fixed_batch}
   * every step sees exactly step 1's batch: samples, timesteps and noise.
   */
  public Map<String, NDArray> stepLosses(long step, SplittableRandom random, NDManager manager) {
    SplittableRandom r = config.fixedBatch() ? StepRandom.forStep(config.seed(), 1) : random;
    return losses(samplesForStep(step), r, manager).arrays();
  }

  /** The SketchingReality loss of a given batch of samples. */
  public LossTerms losses(List<Sample> samples, SplittableRandom random, NDManager manager) {
    return objective.compute(buildBatch(samples, random, manager));
  }

  // ---- data ----

  /** The samples of step {@code step} (1-based): a pure function of seed and step. */
  public List<Sample> samplesForStep(long step) {
    long index = config.fixedBatch() ? 1 : step;
    List<MixedBatchSampler.Ref> refs = refs(index);
    List<Sample> out = new ArrayList<>(refs.size());
    for (int slot = 0; slot < refs.size(); slot++) {
      out.add(load(refs.get(slot), index, slot));
    }
    return out;
  }

  // The sampler is a stream; fast-forward (ids only, no loading) or restart to reach a batch.
  private List<MixedBatchSampler.Ref> refs(long index) {
    if (sampler == null || samplerBatches >= index) {
      sampler = new MixedBatchSampler(handDrawn, synthetic, config.batchSize(), config.seed());
      samplerBatches = 0;
    }
    List<MixedBatchSampler.Ref> refs = null;
    while (samplerBatches < index) {
      refs = sampler.nextRefs();
      samplerBatches++;
    }
    return refs;
  }

  // A bad sample is replaced by a draw from (seed, batch, slot): the same on resume.
  private Sample load(MixedBatchSampler.Ref ref, long index, int slot) {
    Dataset ds = dataset(ref.kind());
    String id = ref.id();
    SplittableRandom redraw = null;
    for (int attempt = 0; attempt < MAX_REDRAWS; attempt++) {
      try {
        Sample s = ds.load(id, ref.kind());
        if (s.photo().isEmpty()) {
          throw new DataException(Path.of(ds.name()), "sample " + id + " has no photo");
        }
        return s;
      } catch (DataException e) {
        ds.skipped().handle(e); // rethrows unless skipping is on
        if (redraw == null) {
          redraw = StepRandom.forStep(config.seed(), index, REDRAW_STREAM + slot);
        }
        List<String> ids = ds.ids();
        id = ids.get(redraw.nextInt(ids.size()));
      }
    }
    throw new IllegalStateException(
        "gave up after " + MAX_REDRAWS + " bad samples in a row in " + ds.name());
  }

  private Dataset dataset(SampleKind kind) {
    return kind == SampleKind.HAND_DRAWN ? handDrawn : synthetic;
  }

  private String key(Sample s) {
    return dataset(s.kind()).name() + "#" + s.id();
  }

  /**
   * The objective's batch for some samples: z0, timesteps then noise from {@code random}, text
   * context, the conditioner's sketch input (differentiable in the fine-tuned encoder layers),
   * synthetic flags and regions. Arrays live in {@code manager}.
   */
  public SketchingRealityObjective.Batch buildBatch(
      List<Sample> samples, SplittableRandom random, NDManager manager) {
    int b = samples.size();
    ModulationConfig mc = config.modulation();
    int channels = mc.latentChannels();
    int cells = latentSize * latentSize;
    int[] timesteps =
        SketchingRealityObjective.sampleTimesteps(
            random, b, backbone.schedule().numTrainTimesteps(), mc);
    Shape latentShape = new Shape(b, channels, latentSize, latentSize);
    NDArray noise = new GaussianNoise(random.nextLong()).next(manager, latentShape);
    int[] plan = rollout != null ? rollout.plan(random, b) : null;
    if (plan != null) {
      for (int i = 0; i < b; i++) {
        if (plan[i] != SamplerRollout.FORWARD) {
          timesteps[i] = rollout.timestep(plan[i]);
        }
      }
    }
    float[] z0 = new float[b * channels * cells];
    float[] strokes = new float[b * imageSize * imageSize];
    boolean[] isSynthetic = new boolean[b];
    List<String> captions = new ArrayList<>(b);
    List<List<TokenRegion>> regions = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      Sample s = samples.get(i);
      System.arraycopy(latent(s), 0, z0, i * channels * cells, channels * cells);
      float[] ink = Preprocess.sketch(s.sketch(), imageSize, 1);
      System.arraycopy(ink, 0, strokes, i * ink.length, ink.length);
      isSynthetic[i] = s.kind() == SampleKind.SYNTHETIC;
      captions.add(s.caption());
      List<TokenRegion> sampleRegions = new ArrayList<>();
      for (CategoryRegion r : regions(s)) {
        sampleRegions.add(
            TokenRegion.of(r.tokenPositions(), r.mask(), latentSize, latentSize, manager));
      }
      regions.add(sampleRegions);
    }
    NDArray context = backbone.encodePrompts(captions, manager);
    NDArray strokeMap = manager.create(strokes, new Shape(b, 1, imageSize, imageSize));
    NDArray sketchInput = conditioner.condition(strokeMap);
    NDArray z0Array = manager.create(z0, latentShape);
    boolean needsEmpty =
        mc.trainingGuidance() > 1 || (plan != null && config.rollout().guidance() > 1);
    NDArray empty = needsEmpty ? emptyContext(b, manager) : null;
    if (plan != null) {
      noise = rolledOutNoise(plan, timesteps, z0Array, noise, sketchInput, context, empty);
    }
    return new SketchingRealityObjective.Batch(
        sketchInput,
        z0Array,
        noise,
        timesteps,
        context,
        isSynthetic,
        regions,
        mc.trainingGuidance() > 1 ? empty : null);
  }

  /**
   * The batch's noise with the rolled-out samples' rows replaced by the noise that puts their
   * photo's z0 exactly at the sampler's state: z_t = sqrt(ᾱ)·z0 + sqrt(1−ᾱ)·noise' (the objective
   * stays one formula, and its ε target is the one consistent with that state).
   */
  private NDArray rolledOutNoise(
      int[] plan,
      int[] timesteps,
      NDArray z0,
      NDArray noise,
      NDArray sketchInput,
      NDArray context,
      NDArray empty) {
    NDManager m = noise.getManager();
    NDArray states = rollout.states(plan, noise, sketchInput, context, empty);
    NDArray alphaBar = Parameterization.alphaBar(backbone.schedule().alphasCumprod(), timesteps, m);
    NDArray implied = Parameterization.impliedNoise(states, z0, alphaBar);
    float[] isRollout = new float[plan.length];
    for (int i = 0; i < plan.length; i++) {
      isRollout[i] = plan[i] == SamplerRollout.FORWARD ? 0f : 1f;
    }
    NDArray pick = m.create(isRollout, new Shape(plan.length, 1, 1, 1));
    return implied.mul(pick).add(noise.mul(pick.neg().add(1f)));
  }

  /** The empty prompt's text context repeated to (b, tokens, D); encoded once per trainer. */
  private NDArray emptyContext(int b, NDManager manager) {
    if (emptyContext == null) {
      try (NDManager tmp = backbone.manager().newSubManager()) {
        NDArray e = backbone.encodePrompts(List.of(""), tmp);
        emptyContextShape = e.getShape();
        emptyContext = e.toFloatArray();
      }
    }
    return manager.create(emptyContext, emptyContextShape).repeat(0, b);
  }

  /** z0 of a sample's photo: VAE posterior mean × scaling factor, (C·h·w) row-major. */
  public float[] latent(Sample s) {
    String key = key(s);
    float[] cached = latentCache.get(key);
    if (cached != null) {
      return cached;
    }
    float[] z;
    try (NDManager tmp = backbone.manager().newSubManager()) {
      NDArray photo =
          Preprocess.photo(tmp, s.photo().orElseThrow(), imageSize).expandDims(0); // (1,3,S,S)
      z =
          backbone
              .vae()
              .encode(photo)
              .mean()
              .mul((float) backbone.vae().scalingFactor())
              .toFloatArray();
    }
    if (config.cache()) {
      latentCache.put(key, z);
    }
    return z;
  }

  /**
   * The named regions of a sample: for each category its caption names (sorted; filtered by {@code
   * classes}), the token positions of its words and its mask at latent resolution — exact photo
   * mask (synthetic) or the frozen original encoder's pseudo-mask (hand-drawn). Categories without
   * tokens (truncated) or without an exact mask are left out; a token belongs to one region only.
   */
  public List<CategoryRegion> regions(Sample s) {
    ClipTokenizer tokenizer = backbone.tokenizer();
    ClipTokenizer.Encoding encoding = tokenizer.encode(s.caption());
    List<String> categories = new ArrayList<>(s.categoryWords().keySet());
    categories.sort(null);
    Set<Integer> taken = new HashSet<>();
    List<CategoryRegion> out = new ArrayList<>();
    boolean synth = s.kind() == SampleKind.SYNTHETIC;
    for (String category : categories) {
      if (!config.classesFromData() && !config.classes().contains(category)) {
        continue;
      }
      TreeSet<Integer> positions = new TreeSet<>();
      for (String word : s.categoryWords().get(category)) {
        for (int p : tokenizer.tokenPositions(encoding, word)) {
          if (!taken.contains(p)) {
            positions.add(p);
          }
        }
      }
      if (positions.isEmpty()) {
        continue;
      }
      float[] mask = synth ? exactMask(s, category) : pseudoMask(s, category);
      if (mask == null) {
        continue;
      }
      taken.addAll(positions);
      out.add(
          new CategoryRegion(
              category, positions.stream().mapToInt(Integer::intValue).toArray(), mask, !synth));
    }
    return out;
  }

  /** The photo's exact category mask, centre-cropped like the photo, nearest-resized to latent. */
  public float[] exactMask(Sample s, String category) {
    Mask mask = s.photoMasks().get(category);
    if (mask == null) {
      return null;
    }
    Mask small = Preprocess.mask(mask, latentSize);
    float[] out = new float[latentSize * latentSize];
    for (int i = 0; i < out.length; i++) {
      out[i] = small.get(i) ? 1f : 0f;
    }
    return out;
  }

  /**
   * The frozen original encoder's pseudo-mask of a category on a sample's sketch (segmentation ≥
   * 0.5) at latent resolution, computed for this sample alone (so cached = fresh).
   */
  public float[] pseudoMask(Sample s, String category) {
    String key = key(s) + "#" + s.kind() + "#" + category;
    float[] cached = maskCache.get(key);
    if (cached != null) {
      return cached;
    }
    float[] mask;
    try (NDManager tmp = backbone.manager().newSubManager()) {
      NDArray strokes = Preprocess.sketch(tmp, s.sketch(), imageSize, 1).expandDims(0);
      float[] e = classEmbedding(category);
      NDArray embedding = tmp.create(e, new Shape(1, e.length));
      mask = original.pseudoMasks(strokes, embedding, latentSize, latentSize).toFloatArray();
    }
    if (config.cache()) {
      maskCache.put(key, mask);
    }
    return mask;
  }

  private float[] classEmbedding(String category) {
    float[] cached = classCache.get(category);
    if (cached != null) {
      return cached;
    }
    float[] e;
    try (NDManager tmp = backbone.manager().newSubManager()) {
      e = original.classEmbeddings(List.of(category), tmp).toFloatArray();
    }
    classCache.put(category, e);
    return e;
  }

  // ---- output ----

  /**
   * Writes {@code <out>/modulation/} (config.json + diffusion_pytorch_model.safetensors) and, for
   * the method's variant, {@code <out>/sketch_encoder/} (the fine-tuned CLIPModel: the source's
   * config and tokenizer files + model.safetensors). Each folder is written beside its target and
   * renamed into place. With {@code out} = the backbone folder the result is a complete
   * SketchingReality model folder.
   */
  public void save(Path out) throws IOException {
    Files.createDirectories(out);
    Path modulation = out.resolve(".modulation.partial");
    deleteRecursively(modulation);
    Files.createDirectories(modulation);
    Json.writeAtomically(modulation.resolve("config.json"), config.modulation());
    SafetensorsWriter.write(
        modulation.resolve("diffusion_pytorch_model.safetensors"),
        arrays(modulator.module()),
        Map.of("format", "pt"));
    replaceDirectory(modulation, out.resolve("modulation"));
    if (encoder == null) {
      return;
    }
    Path sketchEncoder = out.resolve(".sketch_encoder.partial");
    deleteRecursively(sketchEncoder);
    copyWithoutWeights(config.sketchEncoderPath(), sketchEncoder);
    SafetensorsWriter.write(
        sketchEncoder.resolve("model.safetensors"), arrays(encoder.clip()), Map.of("format", "pt"));
    replaceDirectory(sketchEncoder, out.resolve("sketch_encoder"));
  }

  private static Map<String, NDArray> arrays(Module module) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    module.namedParameters().forEach((k, p) -> out.put(k, p.array()));
    return out;
  }

  private static boolean isWeightFile(String name) {
    return name.endsWith(".safetensors")
        || name.endsWith(".bin")
        || name.endsWith(".index.json")
        || name.endsWith(".pt")
        || name.endsWith(".ckpt")
        || name.endsWith(".h5")
        || name.endsWith(".msgpack");
  }

  // Config, tokenizer files and sub-folders of the source encoder, without its weights.
  private static void copyWithoutWeights(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!(p.getParent().equals(from) && isWeightFile(p.getFileName().toString()))) {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  // partial → target; an existing target is moved aside first and deleted after.
  private static void replaceDirectory(Path partial, Path target) throws IOException {
    Path old = target.resolveSibling("." + target.getFileName() + ".old");
    deleteRecursively(old);
    if (Files.exists(target)) {
      move(target, old);
    }
    move(partial, target);
    deleteRecursively(old);
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

  // ---- accessors ----

  public SketchingRealityTrainConfig config() {
    return config;
  }

  public StableDiffusion backbone() {
    return backbone;
  }

  /** The fine-tuned encoder (null for the ablation variants, which do not use its features). */
  public SemanticSketchEncoder encoder() {
    return encoder;
  }

  /** The frozen original encoder that makes the hand-drawn pseudo-masks. */
  public SemanticSketchEncoder originalEncoder() {
    return original;
  }

  public SketchModulator modulator() {
    return modulator;
  }

  public SketchConditioner conditioner() {
    return conditioner;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  public int imageSize() {
    return imageSize;
  }

  public int latentSize() {
    return latentSize;
  }

  @Override
  public void close() {
    backbone.close();
  }
}
