package dev.sketchreal.sampling;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A diffusers scheduler config ({@code scheduler/scheduler_config.json}) for DDIM/DDPM. Keys that
 * are missing take diffusers' defaults (DDIMScheduler and DDPMScheduler share them); unknown keys
 * ({@code skip_prk_steps}, {@code _diffusers_version}, ...) are ignored.
 *
 * <p>Not supported, rejected with a clear error: {@code thresholding = true} (dynamic thresholding,
 * only used by pixel-space models).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SchedulerConfig(
    @JsonProperty("_class_name") String className,
    @JsonProperty("num_train_timesteps") int numTrainTimesteps,
    @JsonProperty("beta_start") double betaStart,
    @JsonProperty("beta_end") double betaEnd,
    @JsonProperty("beta_schedule") BetaSchedule betaSchedule,
    @JsonProperty("trained_betas") double[] trainedBetas,
    @JsonProperty("prediction_type") PredictionType predictionType,
    @JsonProperty("timestep_spacing") TimestepSpacing timestepSpacing,
    @JsonProperty("steps_offset") int stepsOffset,
    @JsonProperty("set_alpha_to_one") boolean setAlphaToOne,
    @JsonProperty("clip_sample") boolean clipSample,
    @JsonProperty("clip_sample_range") double clipSampleRange,
    @JsonProperty("thresholding") boolean thresholding,
    @JsonProperty("rescale_betas_zero_snr") boolean rescaleBetasZeroSnr,
    @JsonProperty("variance_type") VarianceType varianceType) {

  /** How betas are laid out over the training timesteps. */
  public enum BetaSchedule {
    @JsonProperty("linear")
    LINEAR,
    @JsonProperty("scaled_linear")
    SCALED_LINEAR,
    @JsonProperty("squaredcos_cap_v2")
    SQUAREDCOS_CAP_V2
  }

  /** What the model predicts. */
  public enum PredictionType {
    @JsonProperty("epsilon")
    EPSILON,
    @JsonProperty("v_prediction")
    V_PREDICTION,
    @JsonProperty("sample")
    SAMPLE
  }

  /** How inference timesteps are picked from the training timesteps. */
  public enum TimestepSpacing {
    @JsonProperty("leading")
    LEADING,
    @JsonProperty("trailing")
    TRAILING,
    @JsonProperty("linspace")
    LINSPACE
  }

  /** DDPM posterior variance choice. */
  public enum VarianceType {
    @JsonProperty("fixed_small")
    FIXED_SMALL,
    @JsonProperty("fixed_small_log")
    FIXED_SMALL_LOG,
    @JsonProperty("fixed_large")
    FIXED_LARGE,
    @JsonProperty("fixed_large_log")
    FIXED_LARGE_LOG,
    @JsonProperty("learned")
    LEARNED,
    @JsonProperty("learned_range")
    LEARNED_RANGE
  }

  public SchedulerConfig {
    if (numTrainTimesteps <= 0) {
      throw new IllegalArgumentException(
          "num_train_timesteps must be positive, got " + numTrainTimesteps);
    }
    if (trainedBetas != null) {
      trainedBetas = trainedBetas.clone();
      if (trainedBetas.length != numTrainTimesteps) {
        throw new IllegalArgumentException(
            "trained_betas has "
                + trainedBetas.length
                + " entries but num_train_timesteps is "
                + numTrainTimesteps);
      }
    }
    if (betaSchedule == null) {
      throw new IllegalArgumentException("beta_schedule must be set");
    }
    if (predictionType == null || timestepSpacing == null || varianceType == null) {
      throw new IllegalArgumentException(
          "prediction_type, timestep_spacing and variance_type must not be null");
    }
    if (thresholding) {
      throw new IllegalArgumentException(
          "thresholding=true (dynamic thresholding of x0) is not supported; latent diffusion"
              + " models use thresholding=false");
    }
    if (clipSampleRange <= 0) {
      throw new IllegalArgumentException("clip_sample_range must be positive");
    }
  }

  /**
   * Jackson entry point: every key optional, missing ones get diffusers' defaults
   * (DDIMScheduler/DDPMScheduler {@code __init__}).
   */
  @JsonCreator
  static SchedulerConfig fromJson(
      @JsonProperty("_class_name") String className,
      @JsonProperty("num_train_timesteps") Integer numTrainTimesteps,
      @JsonProperty("beta_start") Double betaStart,
      @JsonProperty("beta_end") Double betaEnd,
      @JsonProperty("beta_schedule") BetaSchedule betaSchedule,
      @JsonProperty("trained_betas") double[] trainedBetas,
      @JsonProperty("prediction_type") PredictionType predictionType,
      @JsonProperty("timestep_spacing") TimestepSpacing timestepSpacing,
      @JsonProperty("steps_offset") Integer stepsOffset,
      @JsonProperty("set_alpha_to_one") Boolean setAlphaToOne,
      @JsonProperty("clip_sample") Boolean clipSample,
      @JsonProperty("clip_sample_range") Double clipSampleRange,
      @JsonProperty("thresholding") Boolean thresholding,
      @JsonProperty("rescale_betas_zero_snr") Boolean rescaleBetasZeroSnr,
      @JsonProperty("variance_type") VarianceType varianceType) {
    return new SchedulerConfig(
        className == null ? "DDIMScheduler" : className,
        numTrainTimesteps == null ? 1000 : numTrainTimesteps,
        betaStart == null ? 0.0001 : betaStart,
        betaEnd == null ? 0.02 : betaEnd,
        betaSchedule == null ? BetaSchedule.LINEAR : betaSchedule,
        trainedBetas,
        predictionType == null ? PredictionType.EPSILON : predictionType,
        timestepSpacing == null ? TimestepSpacing.LEADING : timestepSpacing,
        stepsOffset == null ? 0 : stepsOffset,
        setAlphaToOne == null || setAlphaToOne,
        clipSample == null || clipSample,
        clipSampleRange == null ? 1.0 : clipSampleRange,
        thresholding != null && thresholding,
        rescaleBetasZeroSnr != null && rescaleBetasZeroSnr,
        varianceType == null ? VarianceType.FIXED_SMALL : varianceType);
  }

  /** diffusers' defaults (an empty config). */
  public static SchedulerConfig defaults() {
    return fromJson(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Reads a {@code scheduler_config.json}. */
  public static SchedulerConfig read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no scheduler config at " + file);
    }
    try {
      return JSON.readValue(file.toFile(), SchedulerConfig.class);
    } catch (IOException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new IllegalArgumentException(
          "invalid scheduler config " + file + ": " + cause.getMessage(), e);
    }
  }

  /** Parses the JSON text of a scheduler config. */
  public static SchedulerConfig parse(String json) {
    try {
      return JSON.readValue(json, SchedulerConfig.class);
    } catch (IOException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new IllegalArgumentException("invalid scheduler config: " + cause.getMessage(), e);
    }
  }

  /** The config as JSON with diffusers' snake_case keys. */
  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public double[] trainedBetas() {
    return trainedBetas == null ? null : trainedBetas.clone();
  }

  public SchedulerConfig withPredictionType(PredictionType p) {
    return new SchedulerConfig(
        className,
        numTrainTimesteps,
        betaStart,
        betaEnd,
        betaSchedule,
        trainedBetas,
        p,
        timestepSpacing,
        stepsOffset,
        setAlphaToOne,
        clipSample,
        clipSampleRange,
        thresholding,
        rescaleBetasZeroSnr,
        varianceType);
  }

  public SchedulerConfig withTimestepSpacing(TimestepSpacing s, int offset) {
    return new SchedulerConfig(
        className,
        numTrainTimesteps,
        betaStart,
        betaEnd,
        betaSchedule,
        trainedBetas,
        predictionType,
        s,
        offset,
        setAlphaToOne,
        clipSample,
        clipSampleRange,
        thresholding,
        rescaleBetasZeroSnr,
        varianceType);
  }

  public SchedulerConfig withClipSample(boolean clip, double range) {
    return new SchedulerConfig(
        className,
        numTrainTimesteps,
        betaStart,
        betaEnd,
        betaSchedule,
        trainedBetas,
        predictionType,
        timestepSpacing,
        stepsOffset,
        setAlphaToOne,
        clip,
        range,
        thresholding,
        rescaleBetasZeroSnr,
        varianceType);
  }

  public SchedulerConfig withSetAlphaToOne(boolean one) {
    return new SchedulerConfig(
        className,
        numTrainTimesteps,
        betaStart,
        betaEnd,
        betaSchedule,
        trainedBetas,
        predictionType,
        timestepSpacing,
        stepsOffset,
        one,
        clipSample,
        clipSampleRange,
        thresholding,
        rescaleBetasZeroSnr,
        varianceType);
  }

  public SchedulerConfig withRescaleBetasZeroSnr(boolean rescale) {
    return new SchedulerConfig(
        className,
        numTrainTimesteps,
        betaStart,
        betaEnd,
        betaSchedule,
        trainedBetas,
        predictionType,
        timestepSpacing,
        stepsOffset,
        setAlphaToOne,
        clipSample,
        clipSampleRange,
        thresholding,
        rescale,
        varianceType);
  }

  public SchedulerConfig withVarianceType(VarianceType v) {
    return new SchedulerConfig(
        className,
        numTrainTimesteps,
        betaStart,
        betaEnd,
        betaSchedule,
        trainedBetas,
        predictionType,
        timestepSpacing,
        stepsOffset,
        setAlphaToOne,
        clipSample,
        clipSampleRange,
        thresholding,
        rescaleBetasZeroSnr,
        v);
  }
}
