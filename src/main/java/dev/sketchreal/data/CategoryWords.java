package dev.sketchreal.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds which caption words name which category, for captions that do not come with that
 * information (FS-COCO's free text). A category matches as a whole word, case-insensitive, in its
 * singular or a regular plural form ("tree"/"trees", "bus"/"buses"); multi-word names ("traffic
 * light") match as a phrase.
 */
public final class CategoryWords {
  private CategoryWords() {}

  /** Category → the words as they appear in the caption (lower case, in order of appearance). */
  public static Map<String, List<String>> find(String caption, Collection<String> categories) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String text = caption.toLowerCase(Locale.ROOT);
    for (String category : categories) {
      String name = category.toLowerCase(Locale.ROOT);
      Pattern p =
          Pattern.compile(
              "(?<![\\p{L}\\p{N}])" + Pattern.quote(name) + "(?:s|es)?(?![\\p{L}\\p{N}])");
      Matcher m = p.matcher(text);
      List<String> words = new ArrayList<>();
      while (m.find()) {
        if (!words.contains(m.group())) {
          words.add(m.group());
        }
      }
      if (!words.isEmpty()) {
        out.put(category, words);
      }
    }
    return out;
  }
}
