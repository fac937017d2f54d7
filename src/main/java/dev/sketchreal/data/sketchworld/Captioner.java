package dev.sketchreal.data.sketchworld;

import dev.sketchreal.data.sketchworld.SceneGraph.Relation;
import dev.sketchreal.data.sketchworld.SceneGraph.SceneObject;
import dev.sketchreal.data.sketchworld.SceneGraph.Sky;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Captions from the scene graph, in the style of the paper's examples ("a red house left of two
 * pine trees on green grass under a bright sun"): counts, colours, sizes, one spatial relation, the
 * ground and the light, with varied templates and synonyms. Every category in the scene is named
 * with its exact word (singular or plural), and the caption records which word names which
 * category. Words that contain a category word ("sunset", "grassy") are avoided so a tokenizer
 * finds category tokens only where they are meant.
 */
final class Captioner {
  /** The text and category → words naming it (e.g. "tree" → ["trees"]). */
  record Caption(String text, Map<String, List<String>> categoryWords) {}

  private final Map<String, List<String>> words = new LinkedHashMap<>();
  private SplittableRandom r;

  Caption caption(SceneGraph scene, SplittableRandom random) {
    words.clear();
    this.r = random;
    Map<Category, List<SceneObject>> groups = scene.byCategory();
    List<Category> ground = new ArrayList<>();
    List<Category> sky = new ArrayList<>();
    Category light = null;
    for (Category c : groups.keySet()) {
      if (c == Category.SUN || c == Category.MOON) {
        light = c;
      } else if (c == Category.CLOUD || c == Category.BIRD || c == Category.MOUNTAIN) {
        sky.add(c);
      } else if (c != Category.GRASS) {
        ground.add(c);
      }
    }
    Category main;
    if (!ground.isEmpty()) {
      main = ground.remove(r.nextInt(ground.size()));
    } else if (!sky.isEmpty()) {
      main = sky.remove(r.nextInt(sky.size()));
    } else {
      main = light;
      light = null;
    }
    StringBuilder text =
        new StringBuilder(
            pick(
                "",
                "",
                "a photo of ",
                "a picture of ",
                "a view of ",
                "a scene with ",
                "an image of "));
    text.append(np(main, groups.get(main)));
    List<Category> rest = new ArrayList<>(ground);
    rest.addAll(sky);
    relation(scene, main, rest, groups).ifPresent(text::append);
    String groundPhrase =
        groundPhrase(scene, main.inSky() || main == Category.SUN || main == Category.MOON);
    boolean groundFirst = r.nextBoolean();
    if (groundFirst) {
      text.append(groundPhrase);
    }
    appendRest(text, rest, groups);
    if (!groundFirst) {
      text.append(groundPhrase);
    }
    text.append(lightPhrase(scene, light, groups));
    return new Caption(text.toString().replaceAll("\\s+", " ").trim(), Map.copyOf(words));
  }

  // "a red house", "two small trees"; records the noun used.
  private String np(Category c, List<SceneObject> objs) {
    int n = objs.size();
    String noun = n == 1 ? c.word() : c.plural();
    words.computeIfAbsent(c.word(), k -> new ArrayList<>());
    if (!words.get(c.word()).contains(noun)) {
      words.get(c.word()).add(noun);
    }
    StringBuilder adj = new StringBuilder();
    if (n == 1 && !objs.get(0).size().isEmpty() && r.nextDouble() < 0.4) {
      adj.append(objs.get(0).size()).append(' ');
    }
    if (r.nextDouble() < 0.65) {
      adj.append(objs.get(0).colour()).append(' ');
    }
    String rest = adj + noun;
    String count =
        switch (n) {
          case 1 -> r.nextDouble() < 0.15 ? "one" : article(rest);
          case 2 -> "two";
          case 3 -> pick("three", "three", "some");
          default -> pick("four", "several", "many");
        };
    return count + " " + rest;
  }

  private static String article(String next) {
    return "aeiou".indexOf(next.charAt(0)) >= 0 ? "an" : "a";
  }

  // " to the left of two trees": uses a relation between the main category and another one.
  private java.util.Optional<String> relation(
      SceneGraph scene,
      Category main,
      List<Category> rest,
      Map<Category, List<SceneObject>> groups) {
    List<Relation> candidates = new ArrayList<>();
    for (Relation rel : scene.relations()) {
      Category a = scene.object(rel.subject()).category();
      Category b = scene.object(rel.object()).category();
      if (a == main && rest.contains(b)) {
        candidates.add(rel);
      }
    }
    if (candidates.isEmpty() || r.nextDouble() < 0.15) {
      return java.util.Optional.empty();
    }
    Relation rel = candidates.get(r.nextInt(candidates.size()));
    Category other = scene.object(rel.object()).category();
    rest.remove(other);
    String pred =
        switch (rel.predicate()) {
          case "left of" -> pick("left of", "to the left of", "next to", "beside");
          case "right of" -> pick("right of", "to the right of", "next to", "beside");
          case "in front of" -> pick("in front of", "before");
          case "behind" -> pick("behind", "in the back of");
          default -> pick("above", "over");
        };
    return java.util.Optional.of(" " + pred + " " + np(other, groups.get(other)));
  }

  private void appendRest(
      StringBuilder text, List<Category> rest, Map<Category, List<SceneObject>> groups) {
    if (rest.isEmpty()) {
      return;
    }
    List<String> phrases = new ArrayList<>();
    for (Category c : rest) {
      String np = np(c, groups.get(c));
      phrases.add(
          switch (c) {
            case CLOUD -> np + pick("", " in the sky", " drifting by");
            case BIRD -> np + pick("", " flying above", " in the sky");
            case MOUNTAIN -> np + pick("", " in the distance", " far away");
            default -> np;
          });
    }
    text.append(pick(" with ", " and ", ", "));
    for (int i = 0; i < phrases.size(); i++) {
      if (i > 0) {
        text.append(i == phrases.size() - 1 ? " and " : ", ");
      }
      text.append(phrases.get(i));
    }
  }

  // Ground phrase; grass is a category, so its word is recorded.
  private String groundPhrase(SceneGraph scene, boolean onlySky) {
    return switch (scene.ground()) {
      case GRASS -> {
        words.put(Category.GRASS.word(), List.of("grass"));
        yield onlySky
            ? pick(" above green grass", " over the grass")
            : pick(
                " on green grass", " on the grass", " in a field of grass", " on a lawn of grass");
      }
      case SAND ->
          onlySky
              ? pick(" over the sand", " above a sandy beach")
              : pick(" on a sandy beach", " on the sand", " in the desert sand");
      case SNOW ->
          onlySky
              ? pick(" over the snow", " above a white snowfield")
              : pick(" in the snow", " on a snowy field", " on white snow");
      case WATER ->
          onlySky
              ? pick(" over the water", " above the sea")
              : pick(" on the water", " on a calm lake", " on the sea");
    };
  }

  private String lightPhrase(
      SceneGraph scene, Category light, Map<Category, List<SceneObject>> groups) {
    if (light == Category.SUN) {
      words.put("sun", List.of("sun"));
      String colour = groups.get(light).get(0).colour();
      return scene.sky() == Sky.SUNSET
          ? pick(
              " with the sun going down",
              " under a low " + colour + " sun",
              " at dusk under the sun")
          : pick(
              " under a " + colour + " sun",
              " with the sun shining",
              " under the " + colour + " sun");
    }
    if (light == Category.MOON) {
      words.put("moon", List.of("moon"));
      String shape = groups.get(light).get(0).variant() == 1 ? "crescent" : "full";
      return pick(
          " under a " + groups.get(light).get(0).colour() + " moon",
          " at night under the moon",
          " with a " + shape + " moon");
    }
    return switch (scene.sky()) {
      case DAY -> pick(" on a clear day", " under a blue sky", "");
      case SUNSET -> pick(" at dusk", " in the evening light", " under an orange sky");
      case NIGHT -> pick(" at night", " under a starry sky");
    };
  }

  private String pick(String... options) {
    return options[r.nextInt(options.length)];
  }
}
