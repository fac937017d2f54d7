package dev.sketchreal.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.Module;
import java.util.function.UnaryOperator;

/**
 * diffusers AutoencoderKL: encoder → quant_conv → diagonal Gaussian posterior; post_quant_conv →
 * decoder. The scaling factor is NOT applied here (as in diffusers): pipelines multiply encoded
 * latents by {@link #scalingFactor()} and divide before decoding.
 */
public final class AutoencoderKL extends Module {
  private final VaeConfig config;
  private final VaeEncoder encoder;
  private final VaeDecoder decoder;
  private final Conv2d quantConv;
  private final Conv2d postQuantConv;

  public AutoencoderKL(VaeConfig config) {
    this.config = config;
    int latent = config.latentChannels();
    this.encoder = child("encoder", new VaeEncoder(config));
    this.decoder = child("decoder", new VaeDecoder(config));
    this.quantConv =
        config.useQuantConv()
            ? child("quant_conv", new Conv2d(2L * latent, 2L * latent, 1, 1, 0))
            : null;
    this.postQuantConv =
        config.usePostQuantConv()
            ? child("post_quant_conv", new Conv2d(latent, latent, 1, 1, 0))
            : null;
  }

  /** Loads {@code config.json} + weights of a diffusers {@code vae/} folder (old names too). */
  public static AutoencoderKL load(java.nio.file.Path dir, ai.djl.ndarray.NDManager manager)
      throws java.io.IOException {
    VaeConfig config =
        dev.sketchreal.io.Json.readConfig(
            dev.sketchreal.model.Components.requireFile(dir, "config.json"), VaeConfig.class);
    return dev.sketchreal.model.Components.loadWeights(
        new AutoencoderKL(config), dir, manager, legacyKeyNames(), k -> false);
  }

  public VaeConfig config() {
    return config;
  }

  public double scalingFactor() {
    return config.scalingFactor();
  }

  /**
   * @param image (B, 3, H, W) in [-1, 1]
   * @return the posterior over latents (B, latent, H/f, W/f)
   */
  public Posterior encode(NDArray image) {
    NDArray moments = encoder.forward(image);
    if (quantConv != null) {
      moments = quantConv.forward(moments);
    }
    NDList halves = moments.split(2, 1);
    return new Posterior(halves.get(0), halves.get(1).clip(-30f, 20f));
  }

  /**
   * @param latent (B, latent, h, w), unscaled
   * @return image (B, 3, h·f, w·f), not clamped
   */
  public NDArray decode(NDArray latent) {
    NDArray z = postQuantConv == null ? latent : postQuantConv.forward(latent);
    return decoder.forward(z);
  }

  /**
   * Maps the attention names of older VAE files (query/key/value/proj_attn) to the current ones.
   */
  public static UnaryOperator<String> legacyKeyNames() {
    return key ->
        key.replace(".attentions.0.query.", ".attentions.0.to_q.")
            .replace(".attentions.0.key.", ".attentions.0.to_k.")
            .replace(".attentions.0.value.", ".attentions.0.to_v.")
            .replace(".attentions.0.proj_attn.", ".attentions.0.to_out.0.");
  }

  /**
   * The diagonal Gaussian posterior.
   *
   * @param mean (B, latent, h, w)
   * @param logvar (B, latent, h, w), clamped to [-30, 20]
   */
  public record Posterior(NDArray mean, NDArray logvar) {
    /** mean + exp(logvar / 2) · noise, with the noise drawn by the caller (injected). */
    public NDArray sample(NDArray noise) {
      return mean.add(dev.sketchreal.nn.Scalars.mul(logvar, 0.5f).exp().mul(noise));
    }
  }
}
