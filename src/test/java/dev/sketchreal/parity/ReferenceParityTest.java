package dev.sketchreal.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.model.clip.ClipFixtureCases;
import dev.sketchreal.model.clip.TokenizerCases;
import dev.sketchreal.sampling.SchedulerCases;
import dev.sketchreal.testing.FixtureSets;
import dev.sketchreal.testing.FixtureSets.FixtureSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Numerical parity with the reference implementations (diffusers, transformers) on every fixture
 * set: each folder with a {@code manifest.json} under {@code ../shared/fixtures} and under every
 * folder of the {@code fixtures.dir} system property. Each set is loaded through the normal
 * model-folder loaders, and every case the manifest names is run: a case that cannot be run fails.
 * A component this project does not know is reported by name as not covered (aborted test).
 */
class ReferenceParityTest {

  @TestFactory
  Stream<DynamicNode> everyFixtureSet() {
    List<FixtureSet> sets = FixtureSets.all();
    assertThat(sets).as("fixture sets found in " + FixtureSets.roots()).isNotEmpty();
    return sets.stream().map(ReferenceParityTest::setNode);
  }

  private static DynamicNode setNode(FixtureSet set) {
    List<DynamicNode> tests = new ArrayList<>();
    JsonNode components = set.manifest().path("components");
    List<String> prefixes = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = components.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> c = it.next();
      String name = c.getKey();
      String folder = c.getValue().path("folder").asText(name);
      Component component = component(name, c.getValue());
      prefixes.add(component.prefix);
      tests.add(DynamicTest.dynamicTest(name + " (" + folder + "/)", component.run(set, folder)));
    }
    tests.add(
        DynamicTest.dynamicTest(
            "every expected tensor belongs to a component", () -> everyTensorOwned(set, prefixes)));
    return DynamicContainer.dynamicContainer(set.name(), tests);
  }

  /** A known component: the tensor-name prefix it owns and how to run its cases. */
  private record Component(String prefix, Case body) {
    Executable run(FixtureSet set, String folder) {
      return () -> body.run(set, folder);
    }
  }

  @FunctionalInterface
  private interface Case {
    void run(FixtureSet set, String folder) throws Exception;
  }

  private static Component component(String name, JsonNode entry) {
    String variantPrefix = entry.path("tensor_prefix").asText("");
    return switch (name) {
      case "unet" -> new Component("unet.", (s, f) -> BackboneCases.checkUnet(s, f, "unet"));
      case "vae" -> new Component("vae.", BackboneCases::checkVae);
      case "text_encoder" -> new Component("text.", (s, f) -> ClipFixtureCases.checkText(s.dir()));
      case "image_encoder" ->
          new Component("vision.", (s, f) -> ClipFixtureCases.checkVision(s.dir()));
      case "clip" -> new Component("clip.", (s, f) -> ClipFixtureCases.checkClip(s.dir()));
      case "tokenizer" -> new Component("tokenizer.", (s, f) -> TokenizerCases.check(s));
      case "scheduler" -> new Component("scheduler.", (s, f) -> SchedulerCases.check(s));
      default -> {
        String cls = entry.path("config").path("_class_name").asText("");
        if (!variantPrefix.isEmpty() && cls.equals("UNet2DConditionModel")) {
          String prefix = variantPrefix.replaceAll("\\.$", "");
          yield new Component(prefix + ".", (s, f) -> BackboneCases.checkUnet(s, f, prefix));
        }
        yield new Component(
            variantPrefix.isEmpty() ? name + "." : variantPrefix,
            (s, f) ->
                Assumptions.abort("component '" + name + "' (" + f + "/) is not covered yet"));
      }
    };
  }

  /** No expected tensor may sit outside every component's prefix (it would never be checked). */
  private static void everyTensorOwned(FixtureSet set, List<String> prefixes) {
    TreeSet<String> orphans = new TreeSet<>();
    for (JsonNode t : set.manifest().path("tensors")) {
      String name = t.path("name").asText();
      boolean expected = t.path("role").asText().equals("expected");
      if (expected && prefixes.stream().noneMatch(name::startsWith)) {
        orphans.add(name);
      }
    }
    assertThat(orphans).as(set + ": expected tensors no component checks").isEmpty();
  }
}
