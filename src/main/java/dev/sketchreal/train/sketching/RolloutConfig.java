package dev.sketchreal.train.sketching;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Training states from the model's own sampler (our addition to the method, see
 * docs/SKETCHING-REALITY-TRAINING.md "Training on the sampler's own states"). With probability
 * {@code fraction} a sample's z_t is not its photo's latent noised forward — which already holds
 * the photo's layout, so the network can lean on it — but the latent the sampler reaches from pure
 * noise after k DDIM steps, guided and modulated by the current network exactly as generation does;
 * k is uniform over the modulated steps of a {@code steps}-step schedule. The loss then asks the
 * modulation to pull the sampler's own state toward the photo.
 *
 * @param fraction probability per sample (0 = off, the default)
 * @param steps DDIM steps of the schedule the states come from (25, the generation default)
 * @param guidance classifier-free guidance scale of the rollout (7.5, the generation default)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RolloutConfig(
    @JsonProperty("fraction") Double fraction,
    @JsonProperty("steps") Integer steps,
    @JsonProperty("guidance") Double guidance) {

  /** No rollout states. */
  public static final RolloutConfig NONE = new RolloutConfig(0.0, null, null);

  public RolloutConfig {
    fraction = fraction == null ? 0.0 : fraction;
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("rollout fraction must be in [0, 1], got " + fraction);
    }
    steps = steps == null ? 25 : steps;
    if (steps < 1) {
      throw new IllegalArgumentException("rollout steps must be >= 1, got " + steps);
    }
    guidance = guidance == null ? 7.5 : guidance;
    if (!(guidance >= 0) || Double.isInfinite(guidance)) {
      throw new IllegalArgumentException(
          "rollout guidance must be finite and >= 0, got " + guidance);
    }
  }

  /** Whether any sample can take a rollout state. */
  public boolean enabled() {
    return fraction > 0;
  }
}
