package dev.sketchreal.train.backbone;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.AtomicFiles;
import dev.sketchreal.io.Json;
import dev.sketchreal.model.clip.ClipTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Trains a CLIP-format byte-level BPE tokenizer on a list of texts and writes {@code vocab.json},
 * {@code merges.txt}, {@code tokenizer_config.json} and {@code special_tokens_map.json}, loadable
 * by {@link ClipTokenizer#load} (and by transformers' CLIPTokenizer).
 *
 * <p>Words are pre-tokenised by the same code path that encodes prompts: a byte-only tokenizer is
 * written first and its {@link ClipTokenizer#encode} supplies the cleaned, lower-cased regex words.
 * Each word becomes its UTF-8 bytes mapped through GPT-2's {@code bytes_to_unicode}, with {@code
 * </w>} on the last symbol. The vocabulary is laid out like CLIP's: the 256 byte symbols (in {@code
 * bytes_to_unicode} order, so {@code !} is id 0), the same 256 with {@code </w>}, one token per
 * merge in merge order, then {@code <|startoftext|>} and {@code <|endoftext|>}. Merges are chosen
 * greedily by pair frequency (ties: lexicographically smallest pair), stopping at the target
 * vocabulary size or when no pair occurs {@code minFrequency} times.
 *
 * <p>Padding: {@code pad_token} is either {@code <|endoftext|>} (CLIP/SD1 style, the default here)
 * or {@code !} (SD2 style, id 0).
 */
public final class BpeTrainer {
  public static final String BOS = "<|startoftext|>";
  public static final String EOS = "<|endoftext|>";
  public static final String END_OF_WORD = "</w>";
  private static final char[] BYTE_TO_UNICODE = bytesToUnicode();
  private static final Map<Character, Integer> UNICODE_TO_BYTE = inverse(BYTE_TO_UNICODE);

  /** The trained tokenizer before it is written. */
  public record Result(Map<String, Integer> vocab, List<String[]> merges, int wordCount) {}

  private BpeTrainer() {}

  /**
   * Learns merges from {@code texts}.
   *
   * @param vocabSize target size including bytes and the two special tokens (≥ 514)
   * @param minFrequency a pair must occur at least this often (counted over word occurrences)
   */
  public static Result train(List<String> texts, int vocabSize, int minFrequency) {
    if (vocabSize < 514) {
      throw new IllegalArgumentException("vocab_size must be >= 514 (bytes + specials)");
    }
    Map<String, Long> wordFreq = countWords(texts);
    List<List<String>> words = new ArrayList<>();
    long[] freq = new long[wordFreq.size()];
    int w = 0;
    for (var e : wordFreq.entrySet()) {
      words.add(symbols(e.getKey()));
      freq[w++] = e.getValue();
    }
    List<String[]> merges = new ArrayList<>();
    int maxMerges = vocabSize - 514;
    while (merges.size() < maxMerges) {
      Map<String, Long> pairs = new HashMap<>();
      for (int i = 0; i < words.size(); i++) {
        List<String> s = words.get(i);
        for (int k = 0; k + 1 < s.size(); k++) {
          pairs.merge(s.get(k) + " " + s.get(k + 1), freq[i], Long::sum);
        }
      }
      String best = null;
      long bestCount = 0;
      for (var e : pairs.entrySet()) {
        long c = e.getValue();
        if (c > bestCount || (c == bestCount && e.getKey().compareTo(best) < 0)) {
          best = e.getKey();
          bestCount = c;
        }
      }
      if (best == null || bestCount < minFrequency) {
        break;
      }
      String[] pair = best.split(" ");
      merges.add(pair);
      String joined = pair[0] + pair[1];
      for (List<String> s : words) {
        for (int k = 0; k + 1 < s.size(); k++) {
          if (s.get(k).equals(pair[0]) && s.get(k + 1).equals(pair[1])) {
            s.set(k, joined);
            s.remove(k + 1);
          }
        }
      }
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (char c : orderedByteSymbols()) {
      vocab.put(String.valueOf(c), vocab.size());
    }
    for (char c : orderedByteSymbols()) {
      vocab.put(c + END_OF_WORD, vocab.size());
    }
    for (String[] m : merges) {
      vocab.putIfAbsent(m[0] + m[1], vocab.size());
    }
    vocab.put(BOS, vocab.size());
    vocab.put(EOS, vocab.size());
    return new Result(vocab, merges, wordFreq.size());
  }

  /**
   * The pre-tokenised words of {@code texts} with their counts, in first-seen order: exactly the
   * words {@link ClipTokenizer} will BPE-encode.
   */
  public static Map<String, Long> countWords(List<String> texts) {
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("bpe-base");
      Result base = new Result(byteVocab(), List.of(), 0);
      write(base, tmp, 1_000_000, EOS);
      ClipTokenizer tok = ClipTokenizer.load(tmp);
      Map<String, Long> counts = new LinkedHashMap<>();
      for (String t : texts) {
        for (ClipTokenizer.Word word : tok.encode(t).words()) {
          if (!word.addedToken()) {
            counts.merge(word.text(), 1L, Long::sum);
          }
        }
      }
      return counts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (tmp != null) {
        deleteQuietly(tmp);
      }
    }
  }

  private static Map<String, Integer> byteVocab() {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (char c : orderedByteSymbols()) {
      vocab.put(String.valueOf(c), vocab.size());
    }
    for (char c : orderedByteSymbols()) {
      vocab.put(c + END_OF_WORD, vocab.size());
    }
    vocab.put(BOS, vocab.size());
    vocab.put(EOS, vocab.size());
    return vocab;
  }

  /** A word as byte symbols with {@code </w>} on the last. */
  static List<String> symbols(String word) {
    byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
    List<String> s = new ArrayList<>(bytes.length);
    for (byte b : bytes) {
      s.add(String.valueOf(BYTE_TO_UNICODE[b & 0xff]));
    }
    s.set(s.size() - 1, s.get(s.size() - 1) + END_OF_WORD);
    return s;
  }

  /**
   * Writes the four tokenizer files.
   *
   * @param padToken {@link #EOS} or {@code "!"}
   */
  public static void write(Result result, Path dir, int modelMaxLength, String padToken)
      throws IOException {
    if (!padToken.equals(EOS) && !padToken.equals("!")) {
      throw new IllegalArgumentException("pad_token must be <|endoftext|> or !, got " + padToken);
    }
    Files.createDirectories(dir);
    // vocab.json: insertion (id) order, compact like transformers' own file
    String vocabJson = Json.mapper().writer().writeValueAsString(result.vocab());
    AtomicFiles.write(dir.resolve("vocab.json"), vocabJson.getBytes(StandardCharsets.UTF_8));
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (String[] m : result.merges()) {
      merges.append(m[0]).append(' ').append(m[1]).append('\n');
    }
    AtomicFiles.write(
        dir.resolve("merges.txt"), merges.toString().getBytes(StandardCharsets.UTF_8));

    ObjectNode config = Json.mapper().createObjectNode();
    config.put("add_prefix_space", false);
    ObjectNode added = config.putObject("added_tokens_decoder");
    for (String special : padToken.equals("!") ? List.of("!", BOS, EOS) : List.of(BOS, EOS)) {
      ObjectNode t = added.putObject(String.valueOf(result.vocab().get(special)));
      t.put("content", special);
      t.put("lstrip", false);
      t.put("normalized", !special.startsWith("<|"));
      t.put("rstrip", false);
      t.put("single_word", false);
      t.put("special", true);
    }
    config.put("bos_token", BOS);
    config.put("clean_up_tokenization_spaces", true);
    config.put("do_lower_case", true);
    config.put("eos_token", EOS);
    config.put("errors", "replace");
    config.put("model_max_length", modelMaxLength);
    config.put("pad_token", padToken);
    config.put("tokenizer_class", "CLIPTokenizer");
    config.put("unk_token", EOS);
    Json.writeAtomically(dir.resolve("tokenizer_config.json"), config);

    ObjectNode map = Json.mapper().createObjectNode();
    map.put("bos_token", BOS);
    map.put("eos_token", EOS);
    map.put("pad_token", padToken);
    map.put("unk_token", EOS);
    Json.writeAtomically(dir.resolve("special_tokens_map.json"), map);
  }

  /**
   * Decodes ids back to text (CLIPTokenizer.decode with skip_special_tokens): tokens joined, {@code
   * </w>} → space, symbols → bytes → UTF-8, trimmed.
   */
  public static String decode(ClipTokenizer tokenizer, int[] ids) {
    StringBuilder text = new StringBuilder();
    for (int id : ids) {
      if (id == tokenizer.bosId() || id == tokenizer.eosId() || id == tokenizer.padId()) {
        continue;
      }
      text.append(tokenizer.token(id));
    }
    String joined = text.toString().replace(END_OF_WORD, " ");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (char c : joined.toCharArray()) {
      if (c == ' ') {
        bytes.write(' ');
      } else {
        Integer b = UNICODE_TO_BYTE.get(c);
        if (b == null) {
          throw new IllegalArgumentException("not a byte symbol: " + c);
        }
        bytes.write(b);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8).strip();
  }

  /** The 256 byte symbols in bytes_to_unicode order (printable bytes first). */
  private static char[] orderedByteSymbols() {
    List<Integer> order = new ArrayList<>();
    for (int b = 0; b < 256; b++) {
      if (BYTE_TO_UNICODE[b] == (char) b) {
        order.add(b);
      }
    }
    for (int b = 0; b < 256; b++) {
      if (BYTE_TO_UNICODE[b] != (char) b) {
        order.add(b);
      }
    }
    char[] out = new char[256];
    for (int i = 0; i < 256; i++) {
      out[i] = BYTE_TO_UNICODE[order.get(i)];
    }
    return out;
  }

  private static char[] bytesToUnicode() {
    char[] map = new char[256];
    int n = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      map[b] = printable ? (char) b : (char) (256 + n++);
    }
    return map;
  }

  private static Map<Character, Integer> inverse(char[] map) {
    Map<Character, Integer> inv = new HashMap<>();
    for (int b = 0; b < 256; b++) {
      inv.put(map[b], b);
    }
    return inv;
  }

  /** Word counts sorted by frequency (for reports). */
  static List<Map.Entry<String, Long>> mostFrequent(Map<String, Long> counts, int n) {
    List<Map.Entry<String, Long>> list = new ArrayList<>(new TreeMap<>(counts).entrySet());
    list.sort(Comparator.comparing(Map.Entry<String, Long>::getValue).reversed());
    return list.subList(0, Math.min(n, list.size()));
  }

  private static void deleteQuietly(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temp folder: ignore
    }
  }

  static String describe(Result r) {
    return r.vocab().size()
        + " tokens, "
        + r.merges().size()
        + " merges from "
        + r.wordCount()
        + " distinct words";
  }
}
