package dev.sketchreal.cli;

import dev.sketchreal.pipeline.SketchToImage;
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

  SketchToImage.SketchSettings settings() {
    return new SketchToImage.SketchSettings(strength, modulationFraction, spatialOnly);
  }
}
