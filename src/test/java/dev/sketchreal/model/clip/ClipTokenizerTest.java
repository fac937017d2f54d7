package dev.sketchreal.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sketchreal.io.SafetensorsFile;
import dev.sketchreal.testing.FixtureSets;
import dev.sketchreal.testing.FixtureSets.FixtureSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClipTokenizerTest {

  static Stream<FixtureSet> sets() {
    return FixtureSets.stream();
  }

  /** SD1 (pad = EOS) and SD2 (pad = "!") tokenizers of the first fixture set. */
  static ClipTokenizer sd1;

  static ClipTokenizer sd2;

  @BeforeAll
  static void loadTokenizers() {
    for (ClipTokenizer t : styles(FixtureSets.all().get(0)).values()) {
      if (t.padId() == t.eosId()) {
        sd1 = t;
      } else {
        sd2 = t;
      }
    }
    assertThat(sd1).as("an SD1-style tokenizer folder").isNotNull();
    assertThat(sd2).as("an SD2-style tokenizer folder").isNotNull();
  }

  /**
   * The manifest's tokenizer styles (entries of components.tokenizer with a pad_token), each with
   * the tokenizer folder (main or alternate) whose pad token is that style's.
   */
  static Map<String, ClipTokenizer> styles(FixtureSet set) {
    JsonNode tok = set.component("tokenizer");
    List<ClipTokenizer> folders = new ArrayList<>();
    folders.add(load(set.resolve(tok.path("folder").asText("tokenizer"))));
    if (tok.hasNonNull("alternate_style_folder")) {
      folders.add(load(set.resolve(tok.get("alternate_style_folder").asText())));
    }
    Map<String, ClipTokenizer> styles = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = tok.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().has("pad_token") || !e.getValue().has("tokens")) {
        continue;
      }
      String pad = e.getValue().get("pad_token").asText();
      ClipTokenizer match =
          folders.stream()
              .filter(t -> t.padToken().equals(pad))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          set
                              + ": no tokenizer folder with pad token "
                              + pad
                              + " for style "
                              + e.getKey()));
      styles.put(e.getKey(), match);
    }
    assertThat(styles).as(set + ": tokenizer styles in the manifest").isNotEmpty();
    return styles;
  }

  private static final Map<Path, ClipTokenizer> LOADED =
      new java.util.concurrent.ConcurrentHashMap<>();

  static ClipTokenizer load(Path folder) {
    return LOADED.computeIfAbsent(folder.toAbsolutePath().normalize(), ClipTokenizer::load);
  }

  static List<String> prompts(FixtureSet set) {
    List<String> prompts = new ArrayList<>();
    set.manifest().path("prompts").forEach(p -> prompts.add(p.asText()));
    assertThat(prompts).as(set + ": manifest prompts").isNotEmpty();
    return prompts;
  }

  static void tokenStringsLengthsAndSpecialIdsMatchManifest(FixtureSet set) {
    List<String> prompts = prompts(set);
    styles(set)
        .forEach(
            (style, tokenizer) -> {
              JsonNode s = set.component("tokenizer").get(style);
              assertThat(tokenizer.padId())
                  .as(style + " pad id")
                  .isEqualTo(s.get("pad_token_id").asInt());
              assertThat(tokenizer.bosId())
                  .as(style + " bos id")
                  .isEqualTo(s.get("bos_token_id").asInt());
              assertThat(tokenizer.eosId())
                  .as(style + " eos id")
                  .isEqualTo(s.get("eos_token_id").asInt());
              for (int p = 0; p < prompts.size(); p++) {
                ClipTokenizer.Encoding e = tokenizer.encode(prompts.get(p));
                List<String> expected = new ArrayList<>();
                s.get("tokens").get(p).forEach(t -> expected.add(t.asText()));
                String what = set + " " + style + " prompt " + p;
                assertThat(e.tokens()).as(what).containsExactlyElementsOf(expected);
                assertThat(e.length())
                    .as(what + " unpadded length")
                    .isEqualTo(s.get("unpadded_lengths").get(p).asInt());
                assertThat(e.untruncatedLength())
                    .as(what + " untruncated length")
                    .isEqualTo(s.get("untruncated_lengths").get(p).asInt());
              }
            });
  }

  /** ids and masks against tokenizer.<style>.input_ids / .attention_mask of cases.safetensors. */
  static void idsAndMasksMatchReference(FixtureSet set) {
    List<String> prompts = prompts(set);
    try (SafetensorsFile cases = set.openCases();
        NDManager manager = NDManager.newBaseManager()) {
      Map<String, ClipTokenizer> styles = styles(set);
      int checked = 0;
      for (Map.Entry<String, ClipTokenizer> e : styles.entrySet()) {
        String prefix = "tokenizer." + e.getKey() + ".";
        set.check(cases, prefix + "input_ids", e.getValue().encodeBatch(prompts, manager));
        set.check(
            cases, prefix + "attention_mask", e.getValue().attentionMaskBatch(prompts, manager));
        checked += 2;
      }
      // every tokenizer tensor of the manifest was covered
      assertThat(set.tensorNames("tokenizer.")).hasSize(checked);
    }
  }

  // ---- behaviour on the real CLIP vocabulary ----

  @Test
  void sd2PadTokenCutsOutEveryExclamationMark() {
    List<Integer> sd2Ids = content(sd2.encode("SUN!!"));
    List<Integer> sd1Ids = content(sd1.encode("SUN!!"));
    assertThat(sd2Ids).containsExactly(2176, 0, 0);
    assertThat(sd1Ids).containsExactly(2176, 748);
  }

  @Test
  void paddingAndMask() {
    ClipTokenizer.Encoding e2 = sd2.encode("a cat");
    assertThat(e2.ids()).hasSize(sd2.maxLength());
    assertThat(e2.ids()[0]).isEqualTo(sd2.bosId());
    assertThat(e2.ids()[3]).isEqualTo(sd2.eosId());
    assertThat(e2.ids()[4]).isEqualTo(0);
    assertThat(e2.attentionMask()[3]).isEqualTo(1);
    assertThat(e2.attentionMask()[4]).isEqualTo(0);
    ClipTokenizer.Encoding e1 = sd1.encode("a cat");
    assertThat(e1.ids()[4]).isEqualTo(sd1.eosId());
  }

  @Test
  void truncationKeepsBosAndEos() {
    String longPrompt = "cat ".repeat(200);
    ClipTokenizer.Encoding e = sd2.encode(longPrompt);
    assertThat(e.length()).isEqualTo(sd2.maxLength());
    assertThat(e.truncated()).isTrue();
    assertThat(e.untruncatedLength()).isEqualTo(202);
    assertThat(e.ids()[0]).isEqualTo(sd2.bosId());
    assertThat(e.ids()[sd2.maxLength() - 1]).isEqualTo(sd2.eosId());
    assertThat(e.attentionMask()).containsOnly(1);
  }

  @Test
  void cleanUpLikeTransformers() {
    assertSameTokens("  a   Cat\n\tsits\u00a0 here ", "a cat sits here");
    assertSameTokens("fish &amp; chips", "fish & chips");
    assertSameTokens("caf&eacute; &EACUTE;", "café é");
    assertSameTokens("&amp;amp; &#233; &#xE9;", "& é é");
    assertSameTokens("it\u2019s \u201cgreat\u201d", "it's \"great\"");
    assertSameTokens("\ufb01sh \uff21\uff22", "fish ab");
    assertSameTokens("cafe\u0301", "café");
    // ftfy leaves entities alone once a line contains '<'
    assertThat(sd1.tokenize("<b> &amp;")).isEqualTo(sd1.tokenize("<b> &amp;"));
    assertThat(sd1.tokenize("<b> &amp;")).isNotEqualTo(sd1.tokenize("<b> &"));
    // digits are single tokens, contractions split off
    assertThat(sd1.tokenize("8k")).containsExactly("8</w>", "k</w>");
    assertThat(sd1.tokenize("it's")).containsExactly("it</w>", "'s</w>");
    assertThat(sd1.tokenize("")).isEmpty();
    assertThat(sd1.tokenize(" \n ")).isEmpty();
  }

  @Test
  void literalSpecialTokensInPromptMapToTheirIds() {
    assertThat(content(sd1.encode("a<|endoftext|>b")))
        .containsExactly(sd1.encode("a").ids()[1], sd1.eosId(), sd1.encode("b").ids()[1]);
  }

  @Test
  void tokenPositionsOfClassWords() {
    ClipTokenizer.Encoding e = sd2.encode("two trees near a house");
    assertThat(sd2.tokenPositions(e, "trees")).containsExactly(2);
    assertThat(sd2.tokenPositions(e, "house")).containsExactly(5);
    assertThat(sd2.tokenPositions(e, "TREES")).containsExactly(2);
    assertThat(sd2.tokenPositions(e, "tree")).isEmpty();
    assertThat(sd2.tokenPositions(e, "near a house")).containsExactly(3, 4, 5);
    assertThat(sd2.tokenPositions("a dog and a cat", "a")).containsExactly(1, 4);
    // a word split into several BPE tokens gives all of them
    ClipTokenizer.Encoding masts = sd2.encode("ships with tall masts");
    assertThat(masts.tokens().subList(4, 6)).containsExactly("ma", "sts</w>");
    assertThat(sd2.tokenPositions(masts, "masts")).containsExactly(4, 5);
    // punctuation-split queries
    assertThat(sd2.tokenPositions("a red t-shirt", "T-Shirt")).containsExactly(3, 4, 5);
  }

  @Test
  void tokenCharacterSpansPointIntoTheOriginalPrompt() {
    String prompt = "Two  TREES &amp; a  café, ships with tall masts";
    ClipTokenizer.Encoding e = sd1.encode(prompt);
    for (int p = 1; p < e.length() - 1; p++) {
      assertThat(e.charStart()[p]).isBetween(0, prompt.length() - 1);
      assertThat(e.charEnd()[p]).isGreaterThan(e.charStart()[p]);
    }
    assertThat(span(e, sd1.tokenPositions(e, "trees").get(0))).isEqualTo("TREES");
    assertThat(span(e, sd1.tokenPositions(e, "&").get(0))).isEqualTo("&amp;");
    assertThat(span(e, sd1.tokenPositions(e, "café").get(0))).isEqualTo("café");
    List<Integer> masts = sd1.tokenPositions(e, "masts");
    assertThat(span(e, masts.get(0))).isEqualTo("ma");
    assertThat(span(e, masts.get(1))).isEqualTo("sts");
    ClipTokenizer.Word w = e.words().get(e.wordIndex()[masts.get(0)]);
    assertThat(prompt.substring(w.start(), w.end())).isEqualTo("masts");
    assertThat(w.tokenCount()).isEqualTo(2);
    assertThat(e.wordIndex()[0]).isEqualTo(-1);
    assertThat(e.charStart()[e.length() - 1]).isEqualTo(-1);
  }

  @Test
  void nonAsciiPromptsKeepValidSpans() {
    String prompt = "a \uD83D\uDC36 dog \u0130stanbul \u732B\u306E\u7D75 ! na\u00EFve";
    for (ClipTokenizer t : List.of(sd1, sd2)) {
      ClipTokenizer.Encoding e = t.encode(prompt);
      assertThat(e.length()).isGreaterThan(8);
      for (int p = 1; p < e.length() - 1; p++) {
        assertThat(e.charStart()[p]).isBetween(0, prompt.length() - 1);
        assertThat(e.charEnd()[p]).isBetween(e.charStart()[p] + 1, prompt.length());
        assertThat(e.ids()[p]).isBetween(0, t.vocabSize() - 1);
      }
      // the emoji's UTF-8 bytes map back to its surrogate pair
      int dog = t.tokenPositions(e, "\uD83D\uDC36").get(0);
      assertThat(e.charStart()[dog]).isEqualTo(2);
      assertThat(span(e, t.tokenPositions(e, "na\u00EFve").get(0))).startsWith("na");
    }
    // with SD2 padding the literal '!' is its own added-token word with id 0
    ClipTokenizer.Encoding e2 = sd2.encode(prompt);
    List<Integer> bang = sd2.tokenPositions(e2, "!");
    assertThat(bang).hasSize(1);
    assertThat(e2.ids()[bang.get(0)]).isZero();
    assertThat(e2.words().get(e2.wordIndex()[bang.get(0)]).addedToken()).isTrue();
    assertThat(span(e2, bang.get(0))).isEqualTo("!");
  }

  @Test
  void encodeBatchIsInt64() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray ids = sd2.encodeBatch(List.of("a cat", "SUN!!", ""), manager);
      assertThat(ids.getDataType()).isEqualTo(DataType.INT64);
      assertThat(ids.getShape()).isEqualTo(new Shape(3, sd2.maxLength()));
      assertThat(ids.get(1).toLongArray()).isEqualTo(sd2.encode("SUN!!").idsAsLong());
      NDArray mask = sd2.attentionMaskBatch(List.of("a cat"), manager);
      assertThat(mask.sum().getLong()).isEqualTo(4);
    }
  }

  @Test
  void missingFilesFailClearly() {
    Path nowhere = Path.of("/nonexistent-tokenizer");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClipTokenizer.load(nowhere))
        .hasMessageContaining("vocab.json");
  }

  private static String span(ClipTokenizer.Encoding e, int position) {
    return e.prompt().substring(e.charStart()[position], e.charEnd()[position]);
  }

  private static List<Integer> content(ClipTokenizer.Encoding e) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 1; i < e.length() - 1; i++) {
      ids.add(e.ids()[i]);
    }
    return ids;
  }

  private static void assertSameTokens(String messy, String clean) {
    assertThat(sd1.tokenize(messy)).as("tokens of %s", messy).isEqualTo(sd1.tokenize(clean));
  }
}
