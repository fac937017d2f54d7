package dev.sketchreal.parity;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.model.vae.AutoencoderKL;
import dev.sketchreal.nn.AttentionMap;
import dev.sketchreal.nn.AttentionRecorder;
import dev.sketchreal.testing.FixtureSets.FixtureSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The UNet and VAE cases of a fixture set, loaded through the normal model-folder loaders. */
final class BackboneCases {
  private BackboneCases() {}

  /**
   * {@code <prefix>.out.sample} and every {@code <prefix>.attn2.<module>} map of one UNet component
   * (the main {@code unet/} or a variant folder with its own tensor prefix).
   */
  static void checkUnet(FixtureSet set, String folder, String prefix) throws IOException {
    try (SafetensorsFile cases = set.openCases();
        NDManager manager = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(set.resolve(folder), manager);
      AttentionRecorder recorder = AttentionRecorder.all();
      NDArray out =
          unet.forward(
              cases.load(prefix + ".in.sample", manager),
              cases.load(prefix + ".in.timestep", manager),
              cases.load(prefix + ".in.encoder_hidden_states", manager),
              recorder);
      List<String> checked = new ArrayList<>();
      set.check(cases, prefix + ".out.sample", out);
      checked.add(prefix + ".out.sample");
      for (AttentionMap map : recorder.maps()) {
        String name = prefix + ".attn2." + map.modulePath();
        assertThat(cases.contains(name))
            .as(set + ": recorded layer " + map.modulePath() + " has a reference")
            .isTrue();
        assertThat(new int[] {map.height(), map.width()})
            .as(name + " resolution")
            .containsExactly(resolution(set, name));
        set.check(cases, name, map.probs());
        checked.add(name);
      }
      assertEveryExpectedChecked(set, prefix + ".", checked);
    }
  }

  /** {@code vae.out.latent_dist.mean/logvar} (encode) and {@code vae.out.decoded} (decode). */
  static void checkVae(FixtureSet set, String folder) throws IOException {
    try (SafetensorsFile cases = set.openCases();
        NDManager manager = NDManager.newBaseManager()) {
      AutoencoderKL vae = AutoencoderKL.load(set.resolve(folder), manager);
      AutoencoderKL.Posterior posterior = vae.encode(cases.load("vae.in.image", manager));
      set.check(cases, "vae.out.latent_dist.mean", posterior.mean());
      set.check(cases, "vae.out.latent_dist.logvar", posterior.logvar());
      set.check(cases, "vae.out.decoded", vae.decode(cases.load("vae.in.latent", manager)));
      assertEveryExpectedChecked(
          set,
          "vae.",
          List.of("vae.out.latent_dist.mean", "vae.out.latent_dist.logvar", "vae.out.decoded"));
    }
  }

  private static int[] resolution(FixtureSet set, String tensor) {
    JsonNode entry = set.tensorEntry(tensor);
    JsonNode hw = entry.has("resolution") ? entry.get("resolution") : entry.path("resolution_hw");
    if (!hw.isArray() || hw.size() != 2) {
      throw new AssertionError(set + ": manifest gives no resolution for " + tensor);
    }
    return new int[] {hw.get(0).asInt(), hw.get(1).asInt()};
  }

  /** Every {@code expected} tensor of the prefix was compared (intermediates are optional). */
  static void assertEveryExpectedChecked(FixtureSet set, String prefix, List<String> checked) {
    for (String name : set.tensorNames(prefix)) {
      if (set.tensorEntry(name).path("role").asText().equals("expected")) {
        assertThat(checked).as(set + ": expected tensor " + name + " was checked").contains(name);
      }
    }
  }
}
