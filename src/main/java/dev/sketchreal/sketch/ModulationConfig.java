package dev.sketchreal.sketch;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Every setting of the SketchingReality method (docs/METHOD.md §2–§5), read from snake_case JSON.
 * Absent values take the defaults documented on each component; the compact constructor validates.
 *
 * @param variant which modulator: the method or one of the paper's ablations
 * @param featureChannels channels of the sketch input of the modulator: the semantic sketch
 *     features (method), the VAE latent of the sketch (ablation a) or the sketch's pixel channels
 *     (ablation b, 1 = grey, 3 = RGB)
 * @param latentChannels channels of z_t and eps (4 for SD2.1)
 * @param hiddenChannels width of every branch and of the trunk
 * @param timeEmbeddingDim size of the sinusoidal timestep embedding (the MLP keeps the width)
 * @param stages down/up-sampling stages (3 in the paper): each branch halves the resolution this
 *     many times, the trunk upsamples back as many times
 * @param vaeScaleFactor pixels per latent cell (8): ablation (b) folds each f×f pixel patch of the
 *     raw sketch into channels
 * @param modulationFraction modulation acts on (and is trained on) timesteps t >= (1 − fraction)·T
 * @param lambdaNoise λ0, weight of L_noise on synthetic samples (hand-drawn samples always use 0)
 * @param noiseLoss what L_noise compares: the prediction with its target (the paper) or ẑ0 with z0
 * @param lambdaAttn λ1, weight of L_attn
 * @param lambdaRegL1 λ2, weight of ‖S‖₁ + ‖B‖₁ + L_var
 * @param lambdaRegAttn λ_reg inside L_attn (leakage term)
 * @param varCeiling L_var rewards std(S) and std(B) only up to this value: {@code L_var = −(min(std
 *     S, c) + min(std B, c))}. The paper's unbounded {@code −(std S + std B)} outgrows ‖S‖₁ + ‖B‖₁
 *     (std ≥ mean |x| for a zero-mean map), so with λ2 on both the regulariser alone drives the
 *     modulation to grow without limit; measured: L_noise ×36 in 200 steps. Default 0.05 (a shift
 *     of 0.05 in eps units is about the whole x0 signal at t ≥ 0.9T)
 * @param tAttn timestep of the frozen-UNet run on ẑ0 that records the attention maps
 * @param attnCoarsestResolutions Γ by default: every cross-attention layer whose feature map has
 *     one of this many coarsest distinct resolutions (2), resolved from the recorded maps at run
 *     time so it works for any latent size and UNet depth
 * @param attnLayers explicit Γ (module paths such as {@code mid_block.attentions.0
 *     .transformer_blocks.0.attn2}); when non-empty it replaces the resolution rule
 * @param guidancePlacement where modulation sits relative to classifier-free guidance
 * @param sketchSkips semantic-branches variant: each up stage of the trunk also concatenates the
 *     sketch branch's level of that size (U-Net skips from the sketch), so the sketch reaches the
 *     output at the latent resolution and not only through the coarsest embedding (default false,
 *     the paper's network)
 * @param sketchStrength scales S and B at sampling time (1 = as trained, 0 = text only)
 * @param spatialOnly sampling diagnostic: keep only the spatial part of the modulation's change
 *     {@code δ = eps' − eps} by subtracting its per-channel mean over the latent plane, so the
 *     sketch can move things but not shift the whole image's colour or brightness (default false;
 *     compare layout scores with and without it to see how much of a gain is layout)
 * @param trainingGuidance classifier-free guidance scale of the prediction the network modulates in
 *     training: 1 (default, the paper) modulates the text-conditioned eps; w > 1 modulates {@code
 *     eps_u + w·(eps_c − eps_u)} (an extra frozen-UNet pass on the empty prompt), the input {@link
 *     GuidancePlacement#MODULATE_GUIDED} gives it at sampling with guidance w
 * @param noiseGlobalWeight weight, inside L_noise, of the per-channel plane mean of the error (the
 *     part that tints or brightens the whole image) against the rest (where things are): 1
 *     (default) is the plain MSE; below 1 the network is pushed to place things rather than to
 *     match the overall colour
 * @param textChannels semantic-branches variant: width D of the text encoder's hidden states; when
 *     above 0 the prompt's hidden states, averaged over its tokens, are projected
 *     (zero-initialised) onto the trunk's timestep embedding, so S and B can depend on the caption
 *     (the sky and ground it names) and not only on the sketch (default 0, the paper's network: no
 *     text)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModulationConfig(
    @JsonProperty("variant") Variant variant,
    @JsonProperty("feature_channels") Integer featureChannels,
    @JsonProperty("latent_channels") Integer latentChannels,
    @JsonProperty("hidden_channels") Integer hiddenChannels,
    @JsonProperty("time_embedding_dim") Integer timeEmbeddingDim,
    @JsonProperty("stages") Integer stages,
    @JsonProperty("vae_scale_factor") Integer vaeScaleFactor,
    @JsonProperty("modulation_fraction") Double modulationFraction,
    @JsonProperty("lambda_noise") Double lambdaNoise,
    @JsonProperty("noise_loss") NoiseLoss noiseLoss,
    @JsonProperty("lambda_attn") Double lambdaAttn,
    @JsonProperty("lambda_reg_l1") Double lambdaRegL1,
    @JsonProperty("lambda_reg_attn") Double lambdaRegAttn,
    @JsonProperty("var_ceiling") Double varCeiling,
    @JsonProperty("t_attn") Integer tAttn,
    @JsonProperty("attn_coarsest_resolutions") Integer attnCoarsestResolutions,
    @JsonProperty("attn_layers") List<String> attnLayers,
    @JsonProperty("guidance_placement") GuidancePlacement guidancePlacement,
    @JsonProperty("sketch_skips") Boolean sketchSkips,
    @JsonProperty("sketch_strength") Double sketchStrength,
    @JsonProperty("spatial_only") Boolean spatialOnly,
    @JsonProperty("training_guidance") Double trainingGuidance,
    @JsonProperty("noise_global_weight") Double noiseGlobalWeight,
    @JsonProperty("text_channels") Integer textChannels) {

  /** The modulator architecture (the paper's ablation table). */
  public enum Variant {
    /** (c) the method: semantic features, z_t and eps in three independent branches. */
    @JsonProperty("semantic_branches")
    SEMANTIC_BRANCHES,
    /** (a) VAE latent of the sketch concatenated with z_t in one shared branch, plus eps. */
    @JsonProperty("vae_shared_branch")
    VAE_SHARED_BRANCH,
    /** (b) raw sketch pixels, z_t and eps concatenated into one small U-Net (MCM-like). */
    @JsonProperty("raw_sketch_unet")
    RAW_SKETCH_UNET
  }

  /** The space L_noise is measured in. */
  public enum NoiseLoss {
    /** MSE of the modulated prediction against its target (noise, or v): the paper's L_noise. */
    @JsonProperty("prediction")
    PREDICTION,
    /**
     * MSE of ẑ0 (from the modulated prediction) against z0: the same error weighted per sample by
     * (1 − ᾱ_t)/ᾱ_t (≈ 100–200 at t ≥ 0.9T for ε). At these timesteps the x0 part of ε is a few per
     * cent of it, so in prediction space the sketch can only move L_noise in its third digit and
     * L_attn dominates; in x0 space L_noise measures the layout the sketch is meant to give.
     */
    @JsonProperty("x0")
    X0,
    /**
     * MSE of the velocity implied by ẑ0, {@code v = (sqrt(ᾱ)·z_t − ẑ0) / sqrt(1 − ᾱ)}, against the
     * true one: the x0 error weighted by 1/(1 − ᾱ_t), i.e. the ε error weighted by 1/ᾱ_t. At t ≥
     * 0.9T it is the x0 loss (1 − ᾱ ≈ 1); near t = 0 it is the ε loss, which x0 weights by (1 −
     * ᾱ)/ᾱ → 0 and so leaves a modulator free to spoil the small-t predictions the sampler's last
     * steps rely on. The space for a modulator trained (and applied) on every timestep.
     */
    @JsonProperty("v")
    V
  }

  /**
   * Where modulation sits relative to classifier-free guidance, {@code eps_g = eps_u + w·(eps_c −
   * eps_u)}.
   */
  public enum GuidancePlacement {
    /**
     * Modulate the text-conditioned prediction, then guide: {@code eps_u + w·(eps'_c − eps_u)}.
     * Default because it is what training sees: the network is trained on (and only ever given) the
     * text-conditioned eps, so at sampling its input is in distribution; the sketch then acts like
     * part of the condition and is amplified by guidance like the text is.
     */
    @JsonProperty("modulate_conditional")
    MODULATE_CONDITIONAL,
    /**
     * Guide first, then modulate the guided prediction: {@code eps_g ⊙ (1 + S) + B}. The modulation
     * is applied once, unamplified, but the network sees a guided eps it was never trained on.
     */
    @JsonProperty("modulate_guided")
    MODULATE_GUIDED,
    /**
     * Guide, then add the change the modulation makes to the text-conditioned prediction: {@code
     * eps_g + (eps'_c − eps_c)}. The network sees the eps it was trained on (as in {@link
     * #MODULATE_CONDITIONAL}) and its change is applied once, unamplified by guidance (as in {@link
     * #MODULATE_GUIDED}).
     */
    @JsonProperty("add_conditional_change")
    ADD_CONDITIONAL_CHANGE,
    /**
     * No classifier-free guidance while the sketch acts: the modulated text-conditioned prediction
     * {@code eps'_c} is used as is, and guidance resumes with the plain steps. What training (with
     * {@code training_guidance} 1) optimises, and it keeps guidance — which pulls the noisiest
     * steps toward the prompt's typical composition — from fighting the sketch's layout ("guidance
     * in a limited interval", Kynkäänniemi et al. 2024).
     */
    @JsonProperty("unguided")
    UNGUIDED;

    /** By its config name ({@code modulate_guided}, …), as the command line takes it. */
    public static GuidancePlacement fromName(String name) {
      for (GuidancePlacement p : values()) {
        if (p.configName().equals(name)) {
          return p;
        }
      }
      throw new IllegalArgumentException(
          "unknown guidance placement '"
              + name
              + "': one of "
              + java.util.Arrays.stream(values()).map(GuidancePlacement::configName).toList());
    }

    /** The config name: the enum name in lower case. */
    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ModulationConfig {
    variant = variant == null ? Variant.SEMANTIC_BRANCHES : variant;
    latentChannels = positive(latentChannels, 4, "latent_channels");
    featureChannels =
        positive(featureChannels, defaultFeatureChannels(variant), "feature_channels");
    hiddenChannels = positive(hiddenChannels, 64, "hidden_channels");
    timeEmbeddingDim = positive(timeEmbeddingDim, 64, "time_embedding_dim");
    stages = positive(stages, 3, "stages");
    vaeScaleFactor = positive(vaeScaleFactor, 8, "vae_scale_factor");
    modulationFraction = orDefault(modulationFraction, 0.1);
    if (!(modulationFraction > 0 && modulationFraction <= 1)) {
      throw new IllegalArgumentException(
          "modulation_fraction must be in (0, 1], got " + modulationFraction);
    }
    lambdaNoise = nonNegative(lambdaNoise, 1.0, "lambda_noise");
    noiseLoss = noiseLoss == null ? NoiseLoss.PREDICTION : noiseLoss;
    lambdaAttn = nonNegative(lambdaAttn, 1.0, "lambda_attn");
    lambdaRegL1 = nonNegative(lambdaRegL1, 0.1, "lambda_reg_l1");
    lambdaRegAttn = nonNegative(lambdaRegAttn, 0.1, "lambda_reg_attn");
    varCeiling = nonNegative(varCeiling, 0.05, "var_ceiling");
    tAttn = tAttn == null ? 1 : tAttn;
    if (tAttn < 0) {
      throw new IllegalArgumentException("t_attn must be >= 0, got " + tAttn);
    }
    attnCoarsestResolutions = positive(attnCoarsestResolutions, 2, "attn_coarsest_resolutions");
    attnLayers = attnLayers == null ? List.of() : List.copyOf(attnLayers);
    guidancePlacement =
        guidancePlacement == null ? GuidancePlacement.MODULATE_CONDITIONAL : guidancePlacement;
    sketchSkips = sketchSkips != null && sketchSkips;
    sketchStrength = nonNegative(sketchStrength, 1.0, "sketch_strength");
    spatialOnly = spatialOnly != null && spatialOnly;
    trainingGuidance = nonNegative(trainingGuidance, 1.0, "training_guidance");
    noiseGlobalWeight = nonNegative(noiseGlobalWeight, 1.0, "noise_global_weight");
    textChannels = textChannels == null ? 0 : textChannels;
    if (textChannels < 0) {
      throw new IllegalArgumentException("text_channels must be >= 0, got " + textChannels);
    }
    if (trainingGuidance < 1) {
      throw new IllegalArgumentException(
          "training_guidance must be >= 1 (1 = no guidance), got " + trainingGuidance);
    }
    if (hiddenChannels % groupsFor(hiddenChannels) != 0) {
      throw new IllegalArgumentException("hidden_channels must be a multiple of 8 or below 8");
    }
  }

  /** Every default (the method on SD2.1 latents, 768 CLIP ViT-B/16 feature channels). */
  public static ModulationConfig defaults() {
    return builder().build();
  }

  /** The smallest timestep that is modulated: {@code ceil((1 − fraction)·T)} (900 for T = 1000). */
  @JsonIgnore
  public int firstModulatedTimestep(int numTrainTimesteps) {
    return (int) Math.ceil((1 - modulationFraction) * numTrainTimesteps - 1e-9);
  }

  /** Whether modulation acts at timestep {@code t} (trained on and applied for t >= 0.9·T). */
  public boolean modulates(int t, int numTrainTimesteps) {
    return t >= firstModulatedTimestep(numTrainTimesteps);
  }

  /** GroupNorm groups used for a width (8, or 1 for narrow test networks). */
  static int groupsFor(int channels) {
    return channels >= 8 ? 8 : 1;
  }

  private static int defaultFeatureChannels(Variant variant) {
    return switch (variant) {
      case SEMANTIC_BRANCHES -> 768; // CLIP ViT-B/16 patch-token width
      case VAE_SHARED_BRANCH -> 4;
      case RAW_SKETCH_UNET -> 1;
    };
  }

  private static int positive(Integer value, int fallback, String name) {
    int v = value == null ? fallback : value;
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
    return v;
  }

  private static double nonNegative(Double value, double fallback, String name) {
    double v = value == null ? fallback : value;
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
    }
    return v;
  }

  private static double orDefault(Double value, double fallback) {
    return value == null ? fallback : value;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Copy with a different variant and its default feature channels unless set explicitly. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.variant = variant;
    b.featureChannels = featureChannels;
    b.latentChannels = latentChannels;
    b.hiddenChannels = hiddenChannels;
    b.timeEmbeddingDim = timeEmbeddingDim;
    b.stages = stages;
    b.vaeScaleFactor = vaeScaleFactor;
    b.modulationFraction = modulationFraction;
    b.lambdaNoise = lambdaNoise;
    b.noiseLoss = noiseLoss;
    b.lambdaAttn = lambdaAttn;
    b.lambdaRegL1 = lambdaRegL1;
    b.lambdaRegAttn = lambdaRegAttn;
    b.varCeiling = varCeiling;
    b.tAttn = tAttn;
    b.attnCoarsestResolutions = attnCoarsestResolutions;
    b.attnLayers = attnLayers;
    b.guidancePlacement = guidancePlacement;
    b.sketchSkips = sketchSkips;
    b.sketchStrength = sketchStrength;
    b.spatialOnly = spatialOnly;
    b.trainingGuidance = trainingGuidance;
    b.noiseGlobalWeight = noiseGlobalWeight;
    b.textChannels = textChannels;
    return b;
  }

  /** Fluent construction for code and tests; unset values take the defaults. */
  public static final class Builder {
    private Variant variant;
    private Integer featureChannels;
    private Integer latentChannels;
    private Integer hiddenChannels;
    private Integer timeEmbeddingDim;
    private Integer stages;
    private Integer vaeScaleFactor;
    private Double modulationFraction;
    private Double lambdaNoise;
    private NoiseLoss noiseLoss;
    private Double lambdaAttn;
    private Double lambdaRegL1;
    private Double lambdaRegAttn;
    private Double varCeiling;
    private Integer tAttn;
    private Integer attnCoarsestResolutions;
    private List<String> attnLayers;
    private GuidancePlacement guidancePlacement;
    private Boolean sketchSkips;
    private Double sketchStrength;
    private Boolean spatialOnly;
    private Double trainingGuidance;
    private Double noiseGlobalWeight;
    private Integer textChannels;

    public Builder variant(Variant v) {
      variant = v;
      return this;
    }

    public Builder featureChannels(int v) {
      featureChannels = v;
      return this;
    }

    public Builder latentChannels(int v) {
      latentChannels = v;
      return this;
    }

    public Builder hiddenChannels(int v) {
      hiddenChannels = v;
      return this;
    }

    public Builder timeEmbeddingDim(int v) {
      timeEmbeddingDim = v;
      return this;
    }

    public Builder stages(int v) {
      stages = v;
      return this;
    }

    public Builder vaeScaleFactor(int v) {
      vaeScaleFactor = v;
      return this;
    }

    public Builder modulationFraction(double v) {
      modulationFraction = v;
      return this;
    }

    public Builder lambdaNoise(double v) {
      lambdaNoise = v;
      return this;
    }

    public Builder noiseLoss(NoiseLoss v) {
      noiseLoss = v;
      return this;
    }

    public Builder lambdaAttn(double v) {
      lambdaAttn = v;
      return this;
    }

    public Builder lambdaRegL1(double v) {
      lambdaRegL1 = v;
      return this;
    }

    public Builder lambdaRegAttn(double v) {
      lambdaRegAttn = v;
      return this;
    }

    public Builder varCeiling(double v) {
      varCeiling = v;
      return this;
    }

    public Builder tAttn(int v) {
      tAttn = v;
      return this;
    }

    public Builder attnCoarsestResolutions(int v) {
      attnCoarsestResolutions = v;
      return this;
    }

    public Builder attnLayers(List<String> v) {
      attnLayers = v;
      return this;
    }

    public Builder guidancePlacement(GuidancePlacement v) {
      guidancePlacement = v;
      return this;
    }

    public Builder sketchSkips(boolean v) {
      sketchSkips = v;
      return this;
    }

    public Builder sketchStrength(double v) {
      sketchStrength = v;
      return this;
    }

    public Builder spatialOnly(boolean v) {
      spatialOnly = v;
      return this;
    }

    public Builder trainingGuidance(double v) {
      trainingGuidance = v;
      return this;
    }

    public Builder noiseGlobalWeight(double v) {
      noiseGlobalWeight = v;
      return this;
    }

    public Builder textChannels(int v) {
      textChannels = v;
      return this;
    }

    public ModulationConfig build() {
      return new ModulationConfig(
          variant,
          featureChannels,
          latentChannels,
          hiddenChannels,
          timeEmbeddingDim,
          stages,
          vaeScaleFactor,
          modulationFraction,
          lambdaNoise,
          noiseLoss,
          lambdaAttn,
          lambdaRegL1,
          lambdaRegAttn,
          varCeiling,
          tAttn,
          attnCoarsestResolutions,
          attnLayers,
          guidancePlacement,
          sketchSkips,
          sketchStrength,
          spatialOnly,
          trainingGuidance,
          noiseGlobalWeight,
          textChannels);
    }
  }
}
