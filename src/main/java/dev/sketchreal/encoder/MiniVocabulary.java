package dev.sketchreal.encoder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sketchreal.io.AtomicFiles;
import dev.sketchreal.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a small CLIP byte-level BPE tokenizer folder ({@code vocab.json}, {@code merges.txt},
 * {@code tokenizer_config.json}, {@code special_tokens_map.json}) that {@code ClipTokenizer.load}
 * reads: the 256 byte symbols and their end-of-word forms, merges that build each given word left
 * to right, then {@code <|startoftext|>} and {@code <|endoftext|>}. Any text still tokenizes (down
 * to byte symbols); the given words usually become single tokens. A vocabulary of a few hundred
 * entries keeps the text tower's embedding table tiny (CLIP's 49,408 × width would dominate a small
 * encoder).
 */
public final class MiniVocabulary {
  public static final String BOS = "<|startoftext|>";
  public static final String EOS = "<|endoftext|>";

  private MiniVocabulary() {}

  /** The written vocabulary's size and special ids (for the text config). */
  public record Info(int vocabSize, int bosId, int eosId, int maxLength) {}

  /** Writes the folder and returns its sizes. */
  public static Info write(Path dir, List<String> words, int maxLength) throws IOException {
    char[] byteToUnicode = bytesToUnicode();
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (char c : byteToUnicode) {
      vocab.put(String.valueOf(c), vocab.size());
    }
    for (char c : byteToUnicode) {
      vocab.put(c + "</w>", vocab.size());
    }
    Set<String> merges = new LinkedHashSet<>();
    for (String word : words) {
      byte[] bytes = word.toLowerCase(Locale.ROOT).strip().getBytes(StandardCharsets.UTF_8);
      if (bytes.length == 0 || word.contains(" ")) {
        throw new IllegalArgumentException("vocabulary words must be single words: '" + word + "'");
      }
      List<String> symbols = new ArrayList<>();
      for (int i = 0; i < bytes.length; i++) {
        String sym = String.valueOf(byteToUnicode[bytes[i] & 0xff]);
        symbols.add(i == bytes.length - 1 ? sym + "</w>" : sym);
      }
      String left = symbols.get(0);
      for (int i = 1; i < symbols.size(); i++) {
        String right = symbols.get(i);
        if (merges.add(left + " " + right)) {
          vocab.putIfAbsent(left + right, vocab.size());
        }
        left = left + right;
      }
    }
    int bos = vocab.size();
    vocab.put(BOS, bos);
    int eos = vocab.size();
    vocab.put(EOS, eos);
    Files.createDirectories(dir);
    Json.writeAtomically(dir.resolve("vocab.json"), vocab);
    StringBuilder m = new StringBuilder("#version: 0.2\n");
    merges.forEach(line -> m.append(line).append('\n'));
    AtomicFiles.write(dir.resolve("merges.txt"), m.toString().getBytes(StandardCharsets.UTF_8));
    ObjectNode config = Json.mapper().createObjectNode();
    config.put("model_max_length", maxLength);
    config.put("bos_token", BOS);
    config.put("eos_token", EOS);
    config.put("unk_token", EOS);
    config.put("pad_token", EOS);
    config.put("tokenizer_class", "CLIPTokenizer");
    Json.writeAtomically(dir.resolve("tokenizer_config.json"), config);
    ObjectNode special = Json.mapper().createObjectNode();
    special.put("bos_token", BOS);
    special.put("eos_token", EOS);
    special.put("unk_token", EOS);
    special.put("pad_token", EOS);
    Json.writeAtomically(dir.resolve("special_tokens_map.json"), special);
    return new Info(vocab.size(), bos, eos, maxLength);
  }

  /** GPT-2 / CLIP byte → printable character table. */
  static char[] bytesToUnicode() {
    char[] out = new char[256];
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      printable[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable[b] = true;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (printable[b]) {
        out[b] = (char) b;
      } else {
        out[b] = (char) (256 + n++);
      }
    }
    return out;
  }
}
