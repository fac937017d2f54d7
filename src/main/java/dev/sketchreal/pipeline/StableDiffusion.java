package dev.sketchreal.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.model.Components;
import dev.sketchreal.model.clip.ClipTextModel;
import dev.sketchreal.model.clip.ClipTokenizer;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.model.vae.AutoencoderKL;
import dev.sketchreal.runtime.Compute;
import dev.sketchreal.sampling.NoiseSchedule;
import dev.sketchreal.sampling.SchedulerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A latent diffusion backbone loaded from a diffusers model folder ({@code tokenizer/}, {@code
 * text_encoder/}, {@code unet/}, {@code vae/}, {@code scheduler/}): the same code loads the shipped
 * mini model, the test fixtures and a real Stable Diffusion 2.1 folder. Owns the weights (one
 * manager, closed with this object). Frozen: no parameter takes gradients.
 */
public final class StableDiffusion implements AutoCloseable {
  private final Path folder;
  private final NDManager manager;
  private final ClipTokenizer tokenizer;
  private final ClipTextModel textEncoder;
  private final UNet2DConditionModel unet;
  private final AutoencoderKL vae;
  private final NoiseSchedule schedule;
  private final int clipSkip;

  private StableDiffusion(
      Path folder,
      NDManager manager,
      ClipTokenizer tokenizer,
      ClipTextModel textEncoder,
      UNet2DConditionModel unet,
      AutoencoderKL vae,
      NoiseSchedule schedule,
      int clipSkip) {
    this.folder = folder;
    this.manager = manager;
    this.tokenizer = tokenizer;
    this.textEncoder = textEncoder;
    this.unet = unet;
    this.vae = vae;
    this.schedule = schedule;
    this.clipSkip = clipSkip;
  }

  /**
   * Loads every component of a diffusers folder; the text conditioning is the text encoder's
   * last_hidden_state (clip skip 0), which for the released SD2.x folders — whose text encoder
   * already lacks OpenCLIP's last layer — is SD2's "penultimate layer" conditioning.
   */
  public static StableDiffusion load(Path folder) throws IOException {
    return load(folder, 0);
  }

  public static StableDiffusion load(Path folder, int clipSkip) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new NoSuchFileException(folder + " (model folder not found)");
    }
    NDManager manager = Compute.newManager();
    try {
      ClipTokenizer tokenizer = ClipTokenizer.load(component(folder, "tokenizer"));
      ClipTextModel text = ClipTextModel.load(component(folder, "text_encoder"), manager);
      UNet2DConditionModel unet = UNet2DConditionModel.load(component(folder, "unet"), manager);
      AutoencoderKL vae = AutoencoderKL.load(component(folder, "vae"), manager);
      SchedulerConfig scheduler =
          SchedulerConfig.read(
              Components.requireFile(component(folder, "scheduler"), "scheduler_config.json"));
      checkCompatible(folder, text, unet, vae);
      text.setTrainable(false);
      unet.setTrainable(false);
      vae.setTrainable(false);
      return new StableDiffusion(
          folder, manager, tokenizer, text, unet, vae, new NoiseSchedule(scheduler), clipSkip);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static Path component(Path folder, String name) throws NoSuchFileException {
    Path dir = folder.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir + " (missing " + name + "/ in the model folder)");
    }
    return dir;
  }

  private static void checkCompatible(
      Path folder, ClipTextModel text, UNet2DConditionModel unet, AutoencoderKL vae) {
    int hidden = text.config().hiddenSize();
    int cross = unet.config().crossAttentionDim().get(0);
    if (hidden != cross) {
      throw new IllegalArgumentException(
          folder
              + ": text encoder hidden size "
              + hidden
              + " != UNet cross_attention_dim "
              + cross);
    }
    int latent = vae.config().latentChannels();
    if (unet.config().inChannels() != latent || unet.config().outChannels() != latent) {
      throw new IllegalArgumentException(
          folder + ": UNet in/out channels do not match the VAE's " + latent + " latent channels");
    }
  }

  /**
   * Text conditioning for a batch of prompts.
   *
   * @return (B, tokens, hidden), owned by the given manager
   */
  public NDArray encodePrompts(List<String> prompts, NDManager target) {
    NDArray ids = tokenizer.encodeBatch(prompts, target);
    return textEncoder.encodeForDiffusion(ids, clipSkip);
  }

  /** Pixels per latent cell (8 for SD). */
  public int vaeScaleFactor() {
    return vae.config().downsampleFactor();
  }

  /** The default image side: the UNet's sample size times the VAE factor (diffusers' default). */
  public int defaultImageSize() {
    return unet.config().sampleSize() * vaeScaleFactor();
  }

  public Path folder() {
    return folder;
  }

  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  public ClipTextModel textEncoder() {
    return textEncoder;
  }

  public UNet2DConditionModel unet() {
    return unet;
  }

  public AutoencoderKL vae() {
    return vae;
  }

  public NoiseSchedule schedule() {
    return schedule;
  }

  /** The manager owning the weights. */
  public NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    manager.close();
  }
}
