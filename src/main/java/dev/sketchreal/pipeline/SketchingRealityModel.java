package dev.sketchreal.pipeline;

import dev.sketchreal.io.Json;
import dev.sketchreal.model.Components;
import dev.sketchreal.nn.Module;
import dev.sketchreal.sketch.ModulationConfig;
import dev.sketchreal.sketch.SemanticSketchEncoder;
import dev.sketchreal.sketch.SketchConditioner;
import dev.sketchreal.sketch.SketchModulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A SketchingReality model folder: a diffusers backbone plus {@code modulation/} (config.json =
 * {@link ModulationConfig}, weights) and, for the method's variant, {@code sketch_encoder/} (a
 * CLIPModel-layout sketch encoder). Everything frozen; owned by the backbone's manager.
 */
public final class SketchingRealityModel implements AutoCloseable {
  private final StableDiffusion backbone;
  private final SketchModulator modulator;
  private final SketchConditioner conditioner;

  public SketchingRealityModel(
      StableDiffusion backbone, SketchModulator modulator, SketchConditioner conditioner) {
    this.backbone = backbone;
    this.modulator = modulator;
    this.conditioner = conditioner;
  }

  /** True when the folder has the sketch components (else it is a text-to-image backbone). */
  public static boolean isSketchModel(Path folder) {
    return Files.isDirectory(folder.resolve("modulation"));
  }

  public static SketchingRealityModel load(Path folder) throws IOException {
    Path modulationDir = folder.resolve("modulation");
    if (!Files.isDirectory(modulationDir)) {
      throw new NoSuchFileException(
          modulationDir + " (this model has no sketch components: it is text-to-image only)");
    }
    StableDiffusion backbone = StableDiffusion.load(folder);
    try {
      ModulationConfig config =
          Json.readConfig(
              Components.requireFile(modulationDir, "config.json"), ModulationConfig.class);
      SketchModulator modulator = SketchModulator.create(config);
      Components.loadWeights(modulator.module(), modulationDir, backbone.manager());
      modulator.module().setTrainable(false);
      SemanticSketchEncoder encoder = null;
      if (config.variant() == ModulationConfig.Variant.SEMANTIC_BRANCHES) {
        encoder = SemanticSketchEncoder.load(folder.resolve("sketch_encoder"), backbone.manager());
        encoder.clip().setTrainable(false);
      }
      checkCompatible(folder, backbone, config);
      SketchConditioner conditioner =
          new SketchConditioner(config.variant(), encoder, backbone.vae());
      return new SketchingRealityModel(backbone, modulator, conditioner);
    } catch (IOException | RuntimeException e) {
      backbone.close();
      throw e;
    }
  }

  /** Refuses a modulator whose latent or text widths are not the backbone's. */
  public static void checkCompatible(Path folder, StableDiffusion backbone, ModulationConfig c) {
    int latent = backbone.unet().config().inChannels();
    if (c.latentChannels() != latent) {
      throw new IllegalArgumentException(
          folder + ": modulation latent_channels " + c.latentChannels() + " != UNet's " + latent);
    }
    int text = backbone.textEncoder().config().hiddenSize();
    if (c.textChannels() > 0 && c.textChannels() != text) {
      throw new IllegalArgumentException(
          folder
              + ": modulation text_channels "
              + c.textChannels()
              + " != the text encoder's hidden size "
              + text);
    }
  }

  public StableDiffusion backbone() {
    return backbone;
  }

  public SketchModulator modulator() {
    return modulator;
  }

  public SketchConditioner conditioner() {
    return conditioner;
  }

  public Module modulatorModule() {
    return modulator.module();
  }

  @Override
  public void close() {
    backbone.close();
  }
}
