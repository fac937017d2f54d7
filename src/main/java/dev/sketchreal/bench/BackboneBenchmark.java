package dev.sketchreal.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.model.unet.UNetConfig;
import dev.sketchreal.model.vae.AutoencoderKL;
import dev.sketchreal.model.vae.VaeConfig;
import dev.sketchreal.sampling.DdimSampler;
import dev.sketchreal.sampling.Guidance;
import dev.sketchreal.sampling.NoiseSchedule;
import dev.sketchreal.sampling.SchedulerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The backbone workloads of {@code shared/bench/README.md}: models built from the benchmark config
 * files with random weights, float32, inference only. Prints min/median/max, GFLOP/s from the MAC
 * counts in {@code reference-results.json}, and the ratio of the peer's median (diffusers on
 * PyTorch, measured on the same machine kind) to ours: above 1 means we are faster.
 */
public final class BackboneBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path benchDir;
  private final int warmup;
  private final int runs;
  private final PrintStream out;

  public BackboneBenchmark(Path benchDir, int warmup, int runs, PrintStream out) {
    this.benchDir = benchDir;
    this.warmup = warmup;
    this.runs = runs;
    this.out = out;
  }

  /**
   * Runs the named workloads ("unet_forward/sd21-quarter", ...) and prints one row per workload.
   */
  public List<Timing> run(List<String> workloads) throws IOException {
    JsonNode reference = JSON.readTree(benchDir.resolve("reference-results.json").toFile());
    List<Timing> timings = new ArrayList<>();
    out.printf(
        Locale.ROOT,
        "%-26s %10s %10s %10s %9s %12s %12s%n",
        "workload",
        "min ms",
        "median ms",
        "max ms",
        "GFLOP/s",
        "peer(obl)",
        "peer(netlib)");
    for (String workload : workloads) {
      Timing t = time(workload);
      timings.add(t);
      double gmac = peerValue(reference, "openblas", workload, "gmac");
      double peerOpenBlas = peerValue(reference, "openblas", workload, "median_ms");
      double peerNetlib = peerValue(reference, "netlib", workload, "median_ms");
      out.printf(
          Locale.ROOT,
          "%-26s %10.1f %10.1f %10.1f %9.1f %11.2fx %11.2fx%n",
          workload,
          t.min(),
          t.median(),
          t.max(),
          2 * gmac / (t.median() / 1000),
          peerOpenBlas / t.median(),
          peerNetlib / t.median());
    }
    out.println("peer(x) = peer median / our median: above 1 means faster than diffusers+PyTorch");
    return timings;
  }

  private Timing time(String workload) throws IOException {
    String[] parts = workload.split("/", 2);
    if (parts.length != 2) {
      throw new IllegalArgumentException("workload must be <kind>/<config>, got " + workload);
    }
    String kind = parts[0];
    Path config = benchDir.resolve(parts[1]);
    try (NDManager manager = NDManager.newBaseManager()) {
      SplittableRandom random = new SplittableRandom(0);
      return switch (kind) {
        case "unet_forward" ->
            timeUnet(workload, config.resolve("unet/config.json"), manager, random);
        case "vae_decode" -> timeVae(workload, config.resolve("vae/config.json"), manager, random);
        case "generate_25" -> timeGeneration(workload, config, manager, random);
        default -> throw new IllegalArgumentException("unknown workload kind " + kind);
      };
    }
  }

  private Timing timeUnet(String name, Path configFile, NDManager manager, SplittableRandom random)
      throws IOException {
    UNetConfig config = JSON.readValue(configFile.toFile(), UNetConfig.class);
    UNet2DConditionModel unet = new UNet2DConditionModel(config);
    unet.initialize(manager, random);
    int size = config.sampleSize();
    NDArray sample = manager.randomNormal(new Shape(2, config.inChannels(), size, size));
    NDArray t = manager.create(new long[] {981, 981});
    NDArray context =
        manager.randomNormal(new Shape(2, 77, config.crossAttentionDim().get(0)), DataType.FLOAT32);
    return Timing.measure(
        name, warmup, runs, () -> inScope(() -> unet.forward(sample, t, context)));
  }

  private Timing timeVae(String name, Path configFile, NDManager manager, SplittableRandom random)
      throws IOException {
    VaeConfig config = JSON.readValue(configFile.toFile(), VaeConfig.class);
    AutoencoderKL vae = new AutoencoderKL(config);
    vae.initialize(manager, random);
    NDArray latent = manager.randomNormal(new Shape(1, config.latentChannels(), 64, 64));
    return Timing.measure(name, warmup, runs, () -> inScope(() -> vae.decode(latent)));
  }

  /**
   * A full 25-step generation at the workload's native size: 25 DDIM steps of the UNet on the
   * classifier-free-guidance pair, then the VAE decode (text encoding excluded: no text encoder in
   * the benchmark configs, and it is below 1 % of the time).
   */
  private Timing timeGeneration(
      String name, Path config, NDManager manager, SplittableRandom random) throws IOException {
    UNetConfig unetConfig =
        JSON.readValue(config.resolve("unet/config.json").toFile(), UNetConfig.class);
    VaeConfig vaeConfig =
        JSON.readValue(config.resolve("vae/config.json").toFile(), VaeConfig.class);
    UNet2DConditionModel unet = new UNet2DConditionModel(unetConfig);
    unet.initialize(manager, random);
    AutoencoderKL vae = new AutoencoderKL(vaeConfig);
    vae.initialize(manager, random);
    DdimSampler ddim = new DdimSampler(new NoiseSchedule(SchedulerConfig.defaults()));
    int size = unetConfig.sampleSize();
    NDArray context = manager.randomNormal(new Shape(2, 77, unetConfig.crossAttentionDim().get(0)));
    Runnable generate =
        () -> {
          NDArray latent = manager.randomNormal(new Shape(1, unetConfig.inChannels(), size, size));
          for (int t : ddim.timesteps(25)) {
            try (NDScope scope = new NDScope()) {
              NDArray ts = manager.create(new long[] {t, t});
              NDArray out = unet.forward(latent.concat(latent, 0), ts, context);
              NDArray eps = Guidance.classifierFree(out, 7.5);
              NDArray next = ddim.step(eps, t, latent, 25, 0, null).prevSample();
              NDScope.unregister(next);
              latent.close();
              latent = next;
            }
          }
          final NDArray last = latent;
          inScope(() -> vae.decode(last.div(vaeConfig.scalingFactor().floatValue())));
          last.close();
        };
    return Timing.measure(name, Math.min(warmup, 1), Math.min(runs, 3), generate);
  }

  /** Runs one call, forces its result, and frees every intermediate array it created. */
  private static void inScope(java.util.function.Supplier<NDArray> call) {
    try (NDScope scope = new NDScope()) {
      NDArray result = call.get();
      result.toFloatArray(); // force completion (libtorch is eager, this also checks the values)
    }
  }

  /**
   * A value of the peer's results; for {@code generate_25/<config>} (not measured by the peer) the
   * sum of 25 UNet forwards and one VAE decode of that config, i.e. the peer's lower bound.
   */
  private static double peerValue(JsonNode reference, String setup, String workload, String field) {
    if (workload.startsWith("generate_25/")) {
      String config = workload.substring("generate_25/".length());
      return 25 * referenceField(reference, setup, "unet_forward/" + config, field)
          + referenceField(reference, setup, "vae_decode/" + config, field);
    }
    return referenceField(reference, setup, workload, field);
  }

  private static double referenceField(
      JsonNode reference, String setup, String workload, String field) {
    for (JsonNode r : reference.path("setups").path(setup).path("results")) {
      if (r.path("workload").asText().equals(workload)) {
        return r.path(field).asDouble(Double.NaN);
      }
    }
    return Double.NaN;
  }

  public static boolean exists(Path benchDir) {
    return Files.isRegularFile(benchDir.resolve("reference-results.json"));
  }
}
