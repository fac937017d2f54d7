package dev.sketchreal.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.sampling.SchedulerConfig.PredictionType;
import dev.sketchreal.testing.FixtureSets.FixtureSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code scheduler.*} cases of a fixture set against diffusers' DDIMScheduler (run by {@code
 * ReferenceParityTest}).
 */
public final class SchedulerCases {
  private SchedulerCases() {}

  /** Config agreement with the manifest, then every scheduler tensor. */
  public static void check(FixtureSet set) {
    configMatchesManifest(set);
    everySchedulerTensorMatches(set);
  }

  private static final Pattern TIMESTEPS = Pattern.compile("scheduler\\.timesteps_(\\d+)");
  private static final Pattern STEP_OUT =
      Pattern.compile("scheduler\\.([a-z_]+)\\.step(\\d+)\\.(prev_sample|pred_original_sample)");

  static SchedulerConfig config(FixtureSet set) {
    JsonNode sched = set.component("scheduler");
    String file =
        sched.hasNonNull("config_file")
            ? sched.get("config_file").asText()
            : sched.path("folder").asText("scheduler") + "/scheduler_config.json";
    return SchedulerConfig.read(set.resolve(file));
  }

  static void configMatchesManifest(FixtureSet set) {
    SchedulerConfig c = config(set);
    JsonNode m = set.component("scheduler").path("config");
    if (m.isMissingNode()) {
      return;
    }
    assertThat(c.numTrainTimesteps()).isEqualTo(m.path("num_train_timesteps").asInt());
    assertThat(c.betaStart()).isEqualTo(m.path("beta_start").asDouble());
    assertThat(c.betaEnd()).isEqualTo(m.path("beta_end").asDouble());
    assertThat(c.stepsOffset()).isEqualTo(m.path("steps_offset").asInt());
    assertThat(c.setAlphaToOne()).isEqualTo(m.path("set_alpha_to_one").asBoolean());
    assertThat(c.clipSample()).isEqualTo(m.path("clip_sample").asBoolean());
  }

  static void everySchedulerTensorMatches(FixtureSet set) {
    SchedulerConfig base = config(set);
    Set<String> checked = new HashSet<>();
    try (SafetensorsFile cases = set.openCases();
        NDManager manager = NDManager.newBaseManager()) {
      NoiseSchedule schedule = new NoiseSchedule(base);
      List<String> names = set.tensorNames("scheduler.");

      if (names.contains("scheduler.betas")) {
        set.check(cases, "scheduler.betas", manager.create(schedule.betas()));
        checked.add("scheduler.betas");
      }
      if (names.contains("scheduler.alphas_cumprod")) {
        set.check(cases, "scheduler.alphas_cumprod", manager.create(schedule.alphasCumprod()));
        checked.add("scheduler.alphas_cumprod");
      }

      for (String name : names) {
        Matcher m = TIMESTEPS.matcher(name);
        if (m.matches()) {
          int n = Integer.parseInt(m.group(1));
          int[] ts = new DdimSampler(schedule).timesteps(n);
          long[] asLong = new long[ts.length];
          for (int i = 0; i < ts.length; i++) {
            asLong[i] = ts[i];
          }
          set.check(cases, name, manager.create(asLong));
          checked.add(name);
        }
      }

      for (String name : names) {
        Matcher m = STEP_OUT.matcher(name);
        if (!m.matches()) {
          continue;
        }
        PredictionType type = predictionType(m.group(1));
        String in = "scheduler.step" + m.group(2) + ".";
        int timestep = (int) cases.load(in + "timestep", manager).toLongArray()[0];
        int steps = (int) cases.load(in + "num_inference_steps", manager).toLongArray()[0];
        NDArray modelOutput = cases.load(in + "model_output", manager);
        NDArray sample = cases.load(in + "sample", manager);
        DdimSampler ddim = new DdimSampler(base.withPredictionType(type));
        try (StepResult r = ddim.step(modelOutput, timestep, sample, steps, 0.0, null)) {
          NDArray actual =
              m.group(3).equals("prev_sample") ? r.prevSample() : r.predOriginalSample();
          set.check(cases, name, actual);
        }
        checked.add(name);
      }

      if (names.contains("scheduler.add_noise.noisy_samples")) {
        NDArray x0 = cases.load("scheduler.add_noise.original_samples", manager);
        NDArray noise = cases.load("scheduler.add_noise.noise", manager);
        NDArray t = cases.load("scheduler.add_noise.timesteps", manager);
        set.check(cases, "scheduler.add_noise.noisy_samples", schedule.addNoise(x0, noise, t));
        checked.add("scheduler.add_noise.noisy_samples");
        if (names.contains("scheduler.get_velocity.velocity")) {
          set.check(cases, "scheduler.get_velocity.velocity", schedule.velocity(x0, noise, t));
          checked.add("scheduler.get_velocity.velocity");
        }
      }
    }
    // nothing expected was left unchecked
    for (String name : set.tensorNames("scheduler.")) {
      String role = set.tensorEntry(name).path("role").asText();
      if (!role.equals("input")) {
        assertThat(checked).as(set + ": expected tensor " + name + " was checked").contains(name);
      }
    }
    assertThat(checked).isNotEmpty();
  }

  private static PredictionType predictionType(String name) {
    return switch (name) {
      case "epsilon" -> PredictionType.EPSILON;
      case "v_prediction" -> PredictionType.V_PREDICTION;
      case "sample" -> PredictionType.SAMPLE;
      default -> throw new AssertionError("unknown prediction type in tensor name: " + name);
    };
  }
}
