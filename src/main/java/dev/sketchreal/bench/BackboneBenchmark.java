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
      double gmac = referenceField(reference, "openblas", workload, "gmac");
      double peerOpenBlas = referenceField(reference, "openblas", workload, "median_ms");
      double peerNetlib = referenceField(reference, "netlib", workload, "median_ms");
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

  /** Runs one call, forces its result, and frees every intermediate array it created. */
  private static void inScope(java.util.function.Supplier<NDArray> call) {
    try (NDScope scope = new NDScope()) {
      NDArray result = call.get();
      result.toFloatArray(); // force completion (libtorch is eager, this also checks the values)
    }
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
