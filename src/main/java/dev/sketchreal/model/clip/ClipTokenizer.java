package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLIP byte-level BPE tokenizer, equal to the transformers (slow, pure-Python) {@code
 * CLIPTokenizer} with ftfy, called with {@code padding="max_length", truncation=True}.
 *
 * <p>Pipeline: added/special tokens are cut out of the raw prompt first (exact, case-sensitive
 * match; with SD2's pad token {@code !} every literal {@code !} becomes id 0); each remaining piece
 * is cleaned ({@link ClipTextCleaner}: ftfy-like fixes, whitespace collapse, lower-case), split by
 * the CLIP regex, UTF-8 bytes are mapped through {@code bytes_to_unicode}, BPE-merged with {@code
 * </w>} on the last symbol; then BOS, at most {@code maxLength - 2} content tokens, EOS, padding.
 *
 * <p>Every token position remembers the pre-tokenised word it came from and its character span in
 * the original prompt, so class words can be located ({@link #tokenPositions}).
 *
 * <p>Thread-safe: the only mutable state is the BPE cache (a concurrent map).
 */
public final class ClipTokenizer {

  /** Merges beyond this rank are ignored, as in transformers ({@code 49152 - 256 - 2}). */
  static final int MAX_MERGES = 49152 - 256 - 2;

  private static final int DEFAULT_MAX_LENGTH = 77;
  private static final int CACHE_LIMIT = 100_000;
  private static final Pattern PRE_TOKENIZE =
      Pattern.compile(
          "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d"
              + "|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
  private static final char[] BYTE_TO_UNICODE = bytesToUnicode();

  /** One pre-tokenised word of a prompt: a regex match, or an added/special token cut out. */
  public record Word(
      /* normalised text (cleaned, lower-cased) */ String text,
      /* span in the original prompt */ int start,
      int end,
      /* first token position in ids (1 = first after BOS), or -1 if truncated away */
      int firstToken,
      /* number of its tokens kept after truncation */ int tokenCount,
      /* true for an added token cut out of the raw text (e.g. "!" with SD2 padding) */
      boolean addedToken) {}

  /**
   * Tokenised prompt. Arrays have length {@code maxLength}. {@code wordIndex[p]} is the index in
   * {@code words} of the word that position p came from (-1 for BOS, EOS, padding), {@code
   * charStart/charEnd[p]} the token's character span {@code [start, end)} in {@code prompt} (-1
   * likewise). {@code length} counts real tokens including BOS and EOS; {@code untruncatedLength}
   * what it would be without truncation.
   */
  public record Encoding(
      String prompt,
      int[] ids,
      int[] attentionMask,
      int[] wordIndex,
      int[] charStart,
      int[] charEnd,
      List<String> tokens,
      List<Word> words,
      int length,
      int untruncatedLength) {
    public boolean truncated() {
      return untruncatedLength > length;
    }

    /** ids as int64, e.g. for a {@code [1, maxLength]} model input. */
    public long[] idsAsLong() {
      return Arrays.stream(ids).asLongStream().toArray();
    }
  }

  private record AddedToken(String content, int id, boolean lstrip, boolean rstrip) {}

  /** A content token before truncation. */
  private record Piece(String token, int id, int word, int start, int end) {}

  private final Map<String, Integer> encoder;
  private final String[] decoder;
  private final Map<String, Integer> bpeRanks;
  private final List<AddedToken> addedTokens; // longest first
  private final Map<String, Integer> addedTokenIds;
  private final int bosId;
  private final int eosId;
  private final int padId;
  private final int unkId;
  private final String padToken;
  private final int maxLength;
  private final Map<String, String[]> cache = new ConcurrentHashMap<>();

  private ClipTokenizer(
      Map<String, Integer> encoder,
      List<String[]> merges,
      List<AddedToken> added,
      String bosToken,
      String eosToken,
      String padToken,
      String unkToken,
      int maxLength) {
    if (maxLength < 2) {
      throw new IllegalArgumentException("model_max_length must be >= 2, got " + maxLength);
    }
    this.encoder = Map.copyOf(encoder);
    int maxId = encoder.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
    for (AddedToken a : added) {
      maxId = Math.max(maxId, a.id());
    }
    this.decoder = new String[maxId + 1];
    encoder.forEach((k, v) -> decoder[v] = k);
    Map<String, Integer> ranks = new HashMap<>();
    for (int i = 0; i < merges.size(); i++) {
      ranks.putIfAbsent(merges.get(i)[0] + " " + merges.get(i)[1], i);
    }
    this.bpeRanks = Map.copyOf(ranks);
    List<AddedToken> sorted = new ArrayList<>(added);
    sorted.sort(Comparator.comparingInt((AddedToken a) -> a.content().length()).reversed());
    this.addedTokens = List.copyOf(sorted);
    Map<String, Integer> ids = new HashMap<>();
    for (AddedToken a : added) {
      ids.put(a.content(), a.id());
      decoder[a.id()] = a.content();
    }
    this.addedTokenIds = Map.copyOf(ids);
    this.bosId = idOf(bosToken, "bos_token");
    this.eosId = idOf(eosToken, "eos_token");
    this.padId = idOf(padToken, "pad_token");
    this.unkId = idOf(unkToken, "unk_token");
    this.padToken = padToken;
    this.maxLength = maxLength;
    cache.put("<|startoftext|>", new String[] {"<|startoftext|>"});
    cache.put("<|endoftext|>", new String[] {"<|endoftext|>"});
  }

  private int idOf(String token, String what) {
    Integer id = addedTokenIds.get(token);
    if (id == null) {
      id = encoder.get(token);
    }
    if (id == null) {
      throw new IllegalArgumentException(what + " '" + token + "' is not in the vocabulary");
    }
    return id;
  }

  /**
   * Reads {@code vocab.json}, {@code merges.txt} and, when present, {@code tokenizer_config.json}
   * and {@code special_tokens_map.json} (the latter overrides the former, as in transformers).
   */
  public static ClipTokenizer load(Path dir) {
    ObjectMapper json = new ObjectMapper();
    try {
      Path vocabFile = dir.resolve("vocab.json");
      Path mergesFile = dir.resolve("merges.txt");
      if (!Files.isRegularFile(vocabFile) || !Files.isRegularFile(mergesFile)) {
        throw new IllegalArgumentException(
            "tokenizer folder " + dir + " needs vocab.json and merges.txt");
      }
      Map<String, Integer> vocab =
          json.readValue(
              vocabFile.toFile(), new TypeReference<LinkedHashMap<String, Integer>>() {});
      List<String[]> merges = readMerges(mergesFile);

      Map<String, String> special = new HashMap<>();
      special.put("bos_token", "<|startoftext|>");
      special.put("eos_token", "<|endoftext|>");
      special.put("unk_token", "<|endoftext|>");
      special.put("pad_token", "<|endoftext|>");
      int maxLength = DEFAULT_MAX_LENGTH;
      Map<Integer, AddedToken> added = new LinkedHashMap<>();

      Path configFile = dir.resolve("tokenizer_config.json");
      if (Files.isRegularFile(configFile)) {
        JsonNode config = json.readTree(configFile.toFile());
        readSpecialTokens(config, special);
        JsonNode mml = config.get("model_max_length");
        // transformers writes a huge sentinel (1e30) when the length is unknown
        if (mml != null && mml.isNumber() && mml.asDouble() <= 1e6) {
          maxLength = mml.asInt();
        }
        JsonNode decoderNode = config.get("added_tokens_decoder");
        if (decoderNode != null) {
          for (Iterator<Map.Entry<String, JsonNode>> it = decoderNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode t = e.getValue();
            int id = Integer.parseInt(e.getKey());
            added.put(
                id,
                new AddedToken(
                    t.path("content").asText(),
                    id,
                    t.path("lstrip").asBoolean(false),
                    t.path("rstrip").asBoolean(false)));
          }
        }
      }
      Path mapFile = dir.resolve("special_tokens_map.json");
      if (Files.isRegularFile(mapFile)) {
        readSpecialTokens(json.readTree(mapFile.toFile()), special);
      }
      // Special tokens are added tokens too (never split, never BPE-merged).
      List<AddedToken> addedList = new ArrayList<>(added.values());
      for (String key : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
        String content = special.get(key);
        boolean known = addedList.stream().anyMatch(a -> a.content().equals(content));
        if (!known) {
          Integer id = vocab.get(content);
          if (id == null) {
            throw new IllegalArgumentException(
                key + " '" + content + "' of " + dir + " is not in vocab.json");
          }
          addedList.add(new AddedToken(content, id, false, false));
        }
      }
      return new ClipTokenizer(
          vocab,
          merges,
          addedList,
          special.get("bos_token"),
          special.get("eos_token"),
          special.get("pad_token"),
          special.get("unk_token"),
          maxLength);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer folder " + dir, e);
    }
  }

  private static void readSpecialTokens(JsonNode node, Map<String, String> special) {
    for (String key : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
      JsonNode v = node.get(key);
      if (v == null || v.isNull()) {
        continue;
      }
      special.put(key, v.isObject() ? v.path("content").asText() : v.asText());
    }
  }

  /** transformers: {@code read().strip().split("\n")[1:49152-256-2+1]}, each split on spaces. */
  private static List<String[]> readMerges(Path file) throws IOException {
    String[] lines = Files.readString(file, StandardCharsets.UTF_8).strip().split("\n");
    List<String[]> merges = new ArrayList<>();
    for (int i = 1; i < lines.length && merges.size() < MAX_MERGES; i++) {
      String[] pair = lines[i].strip().split("\\s+");
      if (pair.length != 2) {
        throw new IllegalArgumentException(
            "merges.txt line " + (i + 1) + " is not a pair: '" + lines[i] + "'");
      }
      merges.add(pair);
    }
    return merges;
  }

  // ---- accessors ----

  public int maxLength() {
    return maxLength;
  }

  public int bosId() {
    return bosId;
  }

  public int eosId() {
    return eosId;
  }

  public int padId() {
    return padId;
  }

  public int unkId() {
    return unkId;
  }

  public String padToken() {
    return padToken;
  }

  public int vocabSize() {
    return decoder.length;
  }

  /** Token string of an id ({@code "a</w>"}, {@code "<|endoftext|>"}). */
  public String token(int id) {
    if (id < 0 || id >= decoder.length || decoder[id] == null) {
      throw new IllegalArgumentException("no token with id " + id);
    }
    return decoder[id];
  }

  // ---- encoding ----

  /** Tokenises one prompt: BOS, content (truncated to maxLength - 2), EOS, padding. */
  public Encoding encode(String prompt) {
    List<Word> rawWords = new ArrayList<>();
    List<Piece> pieces = new ArrayList<>();
    preTokenize(prompt, rawWords, pieces);

    int maxContent = maxLength - 2;
    int kept = Math.min(pieces.size(), maxContent);
    int length = kept + 2;
    int[] ids = new int[maxLength];
    int[] mask = new int[maxLength];
    int[] wordIndex = new int[maxLength];
    int[] charStart = new int[maxLength];
    int[] charEnd = new int[maxLength];
    Arrays.fill(ids, padId);
    Arrays.fill(wordIndex, -1);
    Arrays.fill(charStart, -1);
    Arrays.fill(charEnd, -1);
    List<String> tokens = new ArrayList<>(length);
    ids[0] = bosId;
    tokens.add(token(bosId));
    for (int i = 0; i < kept; i++) {
      Piece p = pieces.get(i);
      ids[i + 1] = p.id();
      wordIndex[i + 1] = p.word();
      charStart[i + 1] = p.start();
      charEnd[i + 1] = p.end();
      tokens.add(p.token());
    }
    ids[kept + 1] = eosId;
    tokens.add(token(eosId));
    Arrays.fill(mask, 0, length, 1);

    List<Word> words = new ArrayList<>(rawWords.size());
    for (int w = 0; w < rawWords.size(); w++) {
      int first = -1;
      int count = 0;
      for (int p = 1; p <= kept; p++) {
        if (wordIndex[p] == w) {
          if (first < 0) {
            first = p;
          }
          count++;
        }
      }
      Word r = rawWords.get(w);
      words.add(new Word(r.text(), r.start(), r.end(), first, count, r.addedToken()));
    }
    return new Encoding(
        prompt,
        ids,
        mask,
        wordIndex,
        charStart,
        charEnd,
        List.copyOf(tokens),
        List.copyOf(words),
        length,
        pieces.size() + 2);
  }

  /** Content token strings of a prompt (no BOS/EOS, no truncation), like {@code tokenize()}. */
  public List<String> tokenize(String prompt) {
    List<Piece> pieces = new ArrayList<>();
    preTokenize(prompt, new ArrayList<>(), pieces);
    return pieces.stream().map(Piece::token).toList();
  }

  /** int64 {@code [B, maxLength]} input ids of a batch of prompts. */
  public NDArray encodeBatch(List<String> prompts, NDManager manager) {
    return batch(prompts, manager, false);
  }

  /** int64 {@code [B, maxLength]} attention masks (1 = real token incl. BOS/EOS, 0 = padding). */
  public NDArray attentionMaskBatch(List<String> prompts, NDManager manager) {
    return batch(prompts, manager, true);
  }

  private NDArray batch(List<String> prompts, NDManager manager, boolean mask) {
    long[] flat = new long[prompts.size() * maxLength];
    for (int b = 0; b < prompts.size(); b++) {
      Encoding e = encode(prompts.get(b));
      int[] src = mask ? e.attentionMask() : e.ids();
      for (int i = 0; i < maxLength; i++) {
        flat[b * maxLength + i] = src[i];
      }
    }
    return manager.create(flat, new Shape(prompts.size(), maxLength));
  }

  /**
   * All token positions (indices into {@code ids}) of {@code word} in the encoded prompt:
   * case-insensitive whole-word match after the same clean-up and pre-tokenisation as the prompt. A
   * query that splits into several pre-tokenised words ("traffic light", "t-shirt") matches that
   * consecutive sequence; every token of every matched word is returned (sorted). Positions cut by
   * truncation are not returned.
   */
  public List<Integer> tokenPositions(Encoding encoding, String word) {
    List<Word> query = new ArrayList<>();
    preTokenize(word, query, new ArrayList<>());
    List<Integer> positions = new ArrayList<>();
    if (query.isEmpty()) {
      return positions;
    }
    List<Word> words = encoding.words();
    for (int w = 0; w + query.size() <= words.size(); w++) {
      boolean match = true;
      for (int q = 0; q < query.size() && match; q++) {
        match = words.get(w + q).text().equals(query.get(q).text());
      }
      if (!match) {
        continue;
      }
      for (int q = 0; q < query.size(); q++) {
        for (int p = 0; p < encoding.length(); p++) {
          if (encoding.wordIndex()[p] == w + q) {
            positions.add(p);
          }
        }
      }
    }
    positions.sort(null);
    return positions;
  }

  /** Convenience: {@link #tokenPositions(Encoding, String)} on {@code encode(prompt)}. */
  public List<Integer> tokenPositions(String prompt, String word) {
    return tokenPositions(encode(prompt), word);
  }

  // ---- internals ----

  /** Splits out added tokens, cleans and regex-splits the rest, BPE-encodes every word. */
  private void preTokenize(String prompt, List<Word> words, List<Piece> pieces) {
    for (Segment seg : splitAddedTokens(prompt)) {
      TrackedText segment = seg.text();
      if (seg.added() != null) {
        int addedId = seg.added().id();
        int s = segment.spanStart(0, segment.length());
        int e = segment.spanEnd(0, segment.length());
        int w = words.size();
        words.add(new Word(segment.text(), s, e, -1, 0, true));
        pieces.add(new Piece(segment.text(), addedId, w, s, e));
        continue;
      }
      TrackedText clean = ClipTextCleaner.clean(segment);
      Matcher m = PRE_TOKENIZE.matcher(clean.text());
      while (m.find()) {
        int w = words.size();
        words.add(
            new Word(
                m.group(),
                clean.spanStart(m.start(), m.end()),
                clean.spanEnd(m.start(), m.end()),
                -1,
                0,
                false));
        encodeWord(clean, m.start(), m.end(), w, pieces);
      }
    }
  }

  /** A piece of the raw prompt: plain text, or an added token ({@code added != null}). */
  private record Segment(TrackedText text, AddedToken added) {}

  /**
   * transformers' added-token split (a trie, leftmost-longest match), honouring lstrip/rstrip.
   * Empty pieces are dropped.
   */
  private List<Segment> splitAddedTokens(String prompt) {
    TrackedText all = TrackedText.identity(prompt, 0);
    List<Segment> out = new ArrayList<>();
    int last = 0;
    int i = 0;
    while (i < prompt.length()) {
      AddedToken hit = null;
      for (AddedToken a : addedTokens) {
        if (prompt.startsWith(a.content(), i)) {
          hit = a;
          break;
        }
      }
      if (hit == null) {
        i++;
        continue;
      }
      if (i > last) {
        out.add(new Segment(all.substring(last, i), null));
      }
      out.add(new Segment(all.substring(i, i + hit.content().length()), hit));
      i += hit.content().length();
      last = i;
    }
    if (last < prompt.length()) {
      out.add(new Segment(all.substring(last, prompt.length()), null));
    }
    for (int k = 0; k < out.size(); k++) {
      AddedToken a = out.get(k).added();
      if (a == null) {
        continue;
      }
      if (a.rstrip() && k + 1 < out.size() && out.get(k + 1).added() == null) {
        out.set(k + 1, new Segment(stripLeading(out.get(k + 1).text()), null));
      }
      if (a.lstrip() && k > 0 && out.get(k - 1).added() == null) {
        out.set(k - 1, new Segment(stripTrailing(out.get(k - 1).text()), null));
      }
    }
    out.removeIf(seg -> seg.text().length() == 0);
    return out;
  }

  private static TrackedText stripLeading(TrackedText t) {
    int i = 0;
    while (i < t.length() && isPyWhitespace(t.charAt(i))) {
      i++;
    }
    return t.substring(i, t.length());
  }

  private static TrackedText stripTrailing(TrackedText t) {
    int j = t.length();
    while (j > 0 && isPyWhitespace(t.charAt(j - 1))) {
      j--;
    }
    return t.substring(0, j);
  }

  private static boolean isPyWhitespace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
  }

  /** BPE-encodes the cleaned word {@code clean[from, to)} and appends its tokens with spans. */
  private void encodeWord(TrackedText clean, int from, int to, int wordIdx, List<Piece> pieces) {
    String word = clean.text().substring(from, to);
    byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
    // byte index -> [first unit, end unit) of the character it belongs to (cleaned-text indices)
    int[] unitStart = new int[bytes.length];
    int[] unitEnd = new int[bytes.length];
    int b = 0;
    for (int u = 0; u < word.length(); ) {
      int cp = word.codePointAt(u);
      int n = Character.charCount(cp);
      int nb = utf8Length(cp);
      for (int k = 0; k < nb; k++) {
        unitStart[b + k] = from + u;
        unitEnd[b + k] = from + u + n;
      }
      b += nb;
      u += n;
    }
    StringBuilder mapped = new StringBuilder(bytes.length);
    for (byte x : bytes) {
      mapped.append(BYTE_TO_UNICODE[x & 0xFF]);
    }
    int pos = 0;
    for (String symbol : bpe(mapped.toString())) {
      int nBytes = symbol.endsWith("</w>") ? symbol.length() - 4 : symbol.length();
      int lastByte = Math.min(pos + nBytes, bytes.length) - 1;
      int s = clean.spanStart(unitStart[pos], unitEnd[lastByte]);
      int e = clean.spanEnd(unitStart[pos], unitEnd[lastByte]);
      Integer id = encoder.get(symbol);
      pieces.add(new Piece(symbol, id == null ? unkId : id, wordIdx, s, e));
      pos += nBytes;
    }
  }

  private static int utf8Length(int cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }

  /** Byte-pair merges of one byte-mapped word; the last symbol carries {@code </w>}. */
  String[] bpe(String token) {
    String[] cached = cache.get(token);
    if (cached != null) {
      return cached;
    }
    List<String> word = new ArrayList<>(token.length());
    for (int i = 0; i < token.length() - 1; i++) {
      word.add(String.valueOf(token.charAt(i)));
    }
    word.add(token.charAt(token.length() - 1) + "</w>");
    while (word.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      String first = null;
      String second = null;
      for (int i = 0; i + 1 < word.size(); i++) {
        Integer r = bpeRanks.get(word.get(i) + " " + word.get(i + 1));
        if (r != null && r < bestRank) {
          bestRank = r;
          first = word.get(i);
          second = word.get(i + 1);
        }
      }
      if (first == null) {
        break;
      }
      List<String> merged = new ArrayList<>(word.size());
      int i = 0;
      while (i < word.size()) {
        if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
          merged.add(first + second);
          i += 2;
        } else {
          merged.add(word.get(i));
          i++;
        }
      }
      word = merged;
    }
    String[] result = word.toArray(new String[0]);
    if (cache.size() > CACHE_LIMIT) {
      cache.clear();
      cache.put("<|startoftext|>", new String[] {"<|startoftext|>"});
      cache.put("<|endoftext|>", new String[] {"<|endoftext|>"});
    }
    cache.put(token, result);
    return result;
  }

  /** GPT-2/CLIP {@code bytes_to_unicode}: printable bytes map to themselves, others above 255. */
  private static char[] bytesToUnicode() {
    char[] map = new char[256];
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
      map[b] = printable[b] ? (char) b : (char) (256 + n++);
    }
    return map;
  }
}
