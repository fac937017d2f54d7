package dev.sketchreal.cli;

import dev.sketchreal.bench.BackboneBenchmark;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sketchreal bench}: the backbone workloads timed against the PyTorch peer's numbers. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Time the backbone workloads of shared/bench and compare with diffusers+PyTorch.")
final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--bench-dir",
      description =
          "Folder with reference-results.json and the configs (default: ${DEFAULT-VALUE})",
      defaultValue = "../shared/bench")
  Path benchDir;

  @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs per workload.")
  int warmup;

  @Option(names = "--runs", defaultValue = "10", description = "Timed runs per workload.")
  int runs;

  @Option(
      names = "--workload",
      split = ",",
      description =
          "Workloads (default: the three of shared/bench; add generate_25/sd21-quarter for a"
              + " full 25-step generation).",
      defaultValue = "unet_forward/sd2-tiny,vae_decode/sd21-quarter,unet_forward/sd21-quarter")
  List<String> workloads;

  @Override
  public Integer call() throws Exception {
    if (!BackboneBenchmark.exists(benchDir)) {
      throw new IllegalArgumentException(
          "no reference-results.json in " + benchDir + " (use --bench-dir)");
    }
    System.out.printf(
        "threads: %s (set SKETCHREAL_THREADS), warmup %d, runs %d%n",
        System.getProperty("ai.djl.pytorch.num_threads", "default"), warmup, runs);
    new BackboneBenchmark(benchDir, warmup, runs, System.out).run(workloads);
    return 0;
  }
}
