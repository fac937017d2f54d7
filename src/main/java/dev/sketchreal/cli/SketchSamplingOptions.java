package dev.sketchreal.cli;

import dev.sketchreal.pipeline.SketchToImage;
import dev.sketchreal.sketch.ModulationConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The sketch's sampling overrides shared by {@code generate} and {@code eval}; null = model's. */
final class SketchSamplingOptions {
  @Option(
      names = "--sketch-strength",
      description = "scale of the sketch modulation (default: the model's, 1.0)")
  Double strength;

  @Option(
      names = "--modulation-fraction",
      description = "fraction of the noisiest timesteps the sketch acts on (default: the model's)")
  Double modulationFraction;

  @Option(
      names = "--sketch-spatial-only",
      description =
          "diagnostic: drop the per-channel mean of the sketch's change to the prediction, so the"
              + " sketch can only move things, not tint the whole image")
  Boolean spatialOnly;

  @Option(
      names = "--guidance-placement",
      description =
          "how the sketch's modulation meets classifier-free guidance in its steps:"
              + " modulate_conditional, modulate_guided, add_conditional_change or unguided"
              + " (default: the model's)")
  String guidancePlacement;

  /**
   * The overrides given, in order, by their human-readable names ("Sketch strength", "Modulation
   * fraction", "Spatial only"): what a report or the PNG's parameters must state.
   */
  Map<String, Object> overrides() {
    Map<String, Object> given = new LinkedHashMap<>();
    if (strength != null) {
      given.put("Sketch strength", strength);
    }
    if (modulationFraction != null) {
      given.put("Modulation fraction", modulationFraction);
    }
    if (Boolean.TRUE.equals(spatialOnly)) {
      given.put("Spatial only", true);
    }
    if (guidancePlacement != null) {
      given.put("Guidance placement", placement().configName());
    }
    return given;
  }

  SketchToImage.SketchSettings settings() {
    return new SketchToImage.SketchSettings(strength, modulationFraction, spatialOnly, placement());
  }

  private ModulationConfig.GuidancePlacement placement() {
    return guidancePlacement == null
        ? null
        : ModulationConfig.GuidancePlacement.fromName(guidancePlacement);
  }
}
