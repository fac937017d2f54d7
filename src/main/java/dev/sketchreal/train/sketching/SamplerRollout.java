package dev.sketchreal.train.sketching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.sketchreal.pipeline.SketchToImage;
import dev.sketchreal.pipeline.SketchingRealityModel;
import dev.sketchreal.runtime.Compute;
import dev.sketchreal.sampling.DdimSampler;
import dev.sketchreal.sampling.NoiseSchedule;
import dev.sketchreal.sketch.ModulationConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Training states from the sampler itself ({@link RolloutConfig}): per sample either the usual
 * forward-noised latent or the DDIM state after k steps from pure noise, each step predicted by
 * generation's own predictor (classifier-free guidance with the rollout's scale, modulated by the
 * current network with the config's placement and strength). No gradient flows through a rollout.
 */
public final class SamplerRollout {
  /** Plan entry of a sample that keeps the forward-noised latent. */
  public static final int FORWARD = -1;

  private final RolloutConfig config;
  private final ModulationConfig modulation;
  private final SketchToImage pipeline;
  private final DdimSampler sampler;
  private final int[] modulatedTimesteps; // descending: the schedule's modulated prefix

  /**
   * @param model the backbone and the network being trained (a view: the rollout predicts with
   *     generation's own {@link SketchToImage#predictor})
   */
  public SamplerRollout(RolloutConfig config, SketchingRealityModel model) {
    this.config = config;
    this.modulation = model.modulator().config();
    this.pipeline = new SketchToImage(model);
    NoiseSchedule schedule = model.backbone().schedule();
    this.sampler = new DdimSampler(schedule);
    int trainSteps = schedule.numTrainTimesteps();
    this.modulatedTimesteps =
        Arrays.stream(sampler.timesteps(config.steps()))
            .filter(t -> modulation.modulates(t, trainSteps))
            .toArray();
    if (modulatedTimesteps.length == 0) {
      throw new IllegalArgumentException(
          "rollout: no step of a "
              + config.steps()
              + "-step schedule is modulated (modulation_fraction "
              + modulation.modulationFraction()
              + ")");
    }
  }

  /** The modulated timesteps of the rollout's schedule, noisiest first. */
  public int[] modulatedTimesteps() {
    return modulatedTimesteps.clone();
  }

  /**
   * Per sample: {@link #FORWARD} (probability 1 − fraction) or the number of sampler steps k,
   * uniform in [0, modulated steps).
   */
  public int[] plan(SplittableRandom random, int batch) {
    int[] plan = new int[batch];
    for (int i = 0; i < batch; i++) {
      boolean rollout = random.nextDouble() < config.fraction();
      int k = random.nextInt(modulatedTimesteps.length); // drawn either way: a fixed stream
      plan[i] = rollout ? k : FORWARD;
    }
    return plan;
  }

  /** The timestep of a sample after {@code k} rollout steps. */
  public int timestep(int k) {
    return modulatedTimesteps[k];
  }

  /**
   * Runs the sampler for the planned samples.
   *
   * @param plan per sample, {@link #FORWARD} or its step count k
   * @param start (B, C, h, w) initial noise (DDIM's init sigma is 1)
   * @param sketchInput (B, …) the modulator's sketch input
   * @param context (B, tokens, D) prompt context
   * @param unconditional (B, tokens, D) empty-prompt context (unused when guidance ≤ 1)
   * @return (B, C, h, w) in {@code start}'s manager, without gradient: row i is the state after
   *     plan[i] steps, or {@code start}'s row for forward samples
   */
  public NDArray states(
      int[] plan, NDArray start, NDArray sketchInput, NDArray context, NDArray unconditional) {
    return Compute.withoutGradients(
        () -> run(plan, start, sketchInput.stopGradient(), context, unconditional));
  }

  private NDArray run(
      int[] plan, NDArray start, NDArray sketchInput, NDArray context, NDArray unconditional) {
    NDManager out = start.getManager();
    // the rolled-out samples, most steps first, so the ones still running are always a prefix
    Integer[] order =
        IntStream.range(0, plan.length).filter(i -> plan[i] > 0).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> plan[i]).reversed());
    NDArray[] rows = new NDArray[plan.length];
    NDArray result;
    try (NDScope scope = new NDScope()) { // closes every intermediate, whatever its manager
      if (order.length > 0) {
        NDArray z = rows(start, order);
        NDArray sketch = rows(sketchInput, order);
        NDArray cond = rows(context, order);
        NDArray uncond = config.guidance() > 1 ? rows(unconditional, order) : null;
        for (int step = 0; step < plan[order[0]]; step++) {
          int active = countActive(plan, order, step);
          NDArray zActive = prefix(z, active);
          z = step(zActive, step, prefix(sketch, active), cond, uncond, active);
          for (int r = 0; r < active; r++) {
            if (plan[order[r]] == step + 1) {
              rows[order[r]] = z.get(r).expandDims(0);
            }
          }
        }
      }
      NDList all = new NDList();
      for (int i = 0; i < plan.length; i++) {
        all.add(rows[i] != null ? rows[i] : start.get(i).expandDims(0));
      }
      result = NDArrays.concat(all, 0);
      NDScope.unregister(result);
    }
    result.attach(out);
    return result;
  }

  // One generation step for the first `active` rows: [negative; prompt] contexts when guided.
  private NDArray step(
      NDArray z, int step, NDArray sketch, NDArray cond, NDArray uncond, int active) {
    NDArray c = prefix(cond, active);
    NDArray context = uncond != null ? prefix(uncond, active).concat(c, 0) : c;
    int t = modulatedTimesteps[step];
    NDArray prediction =
        pipeline.predictor(context, sketch, config.guidance(), modulation).predict(z, t, step);
    return sampler.step(prediction, t, z, config.steps(), 0, null).prevSample();
  }

  private static int countActive(int[] plan, Integer[] order, int step) {
    int n = 0;
    while (n < order.length && plan[order[n]] > step) {
      n++;
    }
    return n;
  }

  private static NDArray prefix(NDArray x, int n) {
    return x.getShape().get(0) == n ? x : x.get("0:" + n);
  }

  private static NDArray rows(NDArray x, Integer[] order) {
    List<NDArray> picked = new ArrayList<>(order.length);
    for (int i : order) {
      picked.add(x.get(i).expandDims(0));
    }
    return NDArrays.concat(new NDList(picked), 0);
  }
}
